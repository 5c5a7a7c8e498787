using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests;

/// <summary>The fast paths of COIN training compute what the direct ones do.</summary>
public sealed class CoinSharedRenderTests
{
    [Fact]
    public void Rendering_the_consistent_image_in_the_trainers_pass_gives_the_same_losses_and_updates_as_a_second_render()
    {
        using var scene = new SyntheticHeadScene(size: 24, viewCount: 4);
        var views = Enumerable.Range(0, 2).Select(i => new TrainingView { Camera = scene.TrainingCameras[i], Image = scene.Render(scene.TrainingCameras[i]), Index = i }).ToList();
        (IReadOnlyList<TrainingProgress> Steps, CoinStepFigures Coin, Tensor Positions, Tensor Colours) Train(bool shared)
        {
            using var avatar = FlameGaussianAvatar.Create(scene.Flame, scene.Shape, localScale: 0.7);
            var options = TrainingOptions.FlameAvatarDefaults();
            options.Iterations = 3;
            options.Densification.Enabled = false;
            var coin = new CoinOptions { EmbeddingDimension = 4, HiddenDimension = 8, OutputInitBound = 0.2 };
            using var appearance = CoinAppearance.Create(4, PositionEncoding.Fit(CanonicalPositions.Of(avatar), 2), coin, seed: 1);
            var hooks = new CoinTrainingHooks(appearance, new StructuralPerceptualLoss(), coin, options, scene.Rasterizer, sharedRender: shared);
            using var trainer = new GaussianTrainer(avatar, views, options, hooks.Hooks, scene.Rasterizer);
            var steps = Enumerable.Range(0, 3).Select(_ => trainer.Step()).ToList();
            return (steps, hooks.Last!, avatar.Parameters.Positions.detach().clone().DetachFromDisposeScope(), avatar.Parameters.ShDc.detach().clone().DetachFromDisposeScope());
        }

        var separate = Train(shared: false);
        var shared = Train(shared: true);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(separate.Steps[i].Loss, shared.Steps[i].Loss, 5);
            Assert.Equal(separate.Steps[i].Extra, shared.Steps[i].Extra, 5);
        }
        Assert.Equal(separate.Coin.ConsistentPsnr, shared.Coin.ConsistentPsnr, 3);
        Assert.True(separate.Coin.OffsetL1 > 1e-4, "the offsets are on, so I_C differs from I_IC");
        Assert.True((separate.Positions - shared.Positions).abs().max().item<float>() < 1e-5);
        Assert.True((separate.Colours - shared.Colours).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Cached_canonical_frames_place_the_gaussians_where_posing_the_canonical_frame_does()
    {
        using var scene = new SyntheticHeadScene(size: 16, viewCount: 2);
        using var scope = torch.NewDisposeScope();
        using var avatar = FlameGaussianAvatar.Create(scene.Flame, scene.Shape, gaussiansPerTriangle: 2, localScale: 0.7, generator: new torch.Generator(3));
        using var cache = new CanonicalPositionCache();
        Assert.Equal(0f, (CanonicalPositions.Of(avatar) - cache.Of(avatar)).abs().max().item<float>());
        // Training moves the local positions and densification changes the set: the cached frames still place them.
        using (torch.no_grad()) avatar.Parameters.Positions.PlusInPlace(torch.randn(avatar.Parameters.Positions.shape, generator: new torch.Generator(4)).Times(0.3));
        var keep = HeldScalarOps.Arange(0, avatar.Parameters.Count, 3, ScalarType.Int64, torch.CPU);
        foreach (var name in GaussianParameters.TrainableNames) avatar.Parameters.Replace(name, avatar.Parameters[name].detach().index_select(0, keep));
        avatar.Parameters.ReplaceBinding(avatar.Parameters.Binding!.index_select(0, keep));
        Assert.Equal(0f, (CanonicalPositions.Of(avatar) - cache.Of(avatar)).abs().max().item<float>());
    }

    [Fact]
    public void Centred_offsets_and_their_gradients_match_the_explicit_mean_over_views()
    {
        var gen = new torch.Generator(3);
        int n = 40, views = 6;
        var positions = torch.rand([n, 3], generator: gen).Times(0.2).Minus(0.1);
        var colours = torch.rand([n, 3], generator: gen);
        using var appearance = CoinAppearance.Create(views, PositionEncoding.Fit(positions, 2),
            new CoinOptions { EmbeddingDimension = 5, HiddenDimension = 12, EmbeddingInitStd = 2.0, OutputInitBound = 0.5 }, seed: 4);
        var pe = appearance.Encoding.Encode(positions);
        var weights = torch.randn([n, 3], generator: gen);
        var parameters = appearance.ExtraParameters(new CoinOptions()).Select(p => p.Tensor).ToList();

        List<Tensor> Gradients(Tensor offsets)
        {
            foreach (var p in parameters) p.grad?.zero_();
            (offsets * weights).sum().backward();
            return parameters.Select(p => p.grad is null ? torch.zeros_like(p) : p.grad.clone()).ToList();
        }

        // Reference: the view's hidden activation minus the explicit mean over every view's activation.
        var fast = appearance.Offsets(2, colours, pe);
        var fastGrads = Gradients(fast);
        var (emb, w0, b0, w2) = (parameters[0], parameters[1], parameters[2], parameters[3]);
        Tensor Hidden(int k) => torch.nn.functional.relu(torch.nn.functional.linear(torch.cat([emb[k].unsqueeze(0).expand(n, -1), colours, pe], 1), w0, b0));
        var mean = torch.stack(Enumerable.Range(0, views).Select(Hidden).ToArray()).mean([0]);
        var reference = torch.nn.functional.linear(Hidden(2) - mean, w2);
        var referenceGrads = Gradients(reference);

        Assert.True((fast - reference).abs().max().item<float>() < 1e-5);
        for (int i = 0; i < parameters.Count; i++)
        {
            double scale = Math.Max(1e-3, referenceGrads[i].abs().max().item<float>());
            Assert.True((fastGrads[i] - referenceGrads[i]).abs().max().item<float>() < 1e-4 * scale + 1e-6, $"gradient of parameter {i}");
        }
        Assert.True(fastGrads[0].abs().sum().item<float>() > 0, "every view's embedding gets a gradient through the mean");
    }
}
