using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests;

/// <summary><see cref="CoinOptions.PerceptualEvery"/>: the perceptual term (and I_C) on every k-th step only, at k times the weight.</summary>
public sealed class CoinPerceptualCadenceTests
{
    [Fact]
    public void Every_second_step_scores_the_consistent_render_at_twice_the_weight_and_the_others_only_the_offsets()
    {
        using var scene = new SyntheticHeadScene(size: 24, viewCount: 4);
        using var scope = torch.NewDisposeScope();
        using var avatar = FlameGaussianAvatar.Create(scene.Flame, scene.Shape, localScale: 0.7);
        var view = new TrainingView { Camera = scene.TrainingCameras[1], Image = scene.Render(scene.TrainingCameras[1]), Index = 1 };
        var options = TrainingOptions.FlameAvatarDefaults();
        options.Iterations = 4;
        options.Densification.Enabled = false;
        var coin = new CoinOptions { EmbeddingDimension = 4, HiddenDimension = 8, PerceptualEvery = 2 };
        using var appearance = CoinAppearance.Create(4, PositionEncoding.Fit(CanonicalPositions.Of(avatar), 2), coin, seed: 1);
        var perceptual = new CountingPerceptualLoss(new StructuralPerceptualLoss());
        var hooks = new CoinTrainingHooks(appearance, perceptual, coin, options, scene.Rasterizer);
        using var trainer = new GaussianTrainer(avatar, [view], options, hooks.Hooks, scene.Rasterizer);

        var scored = new List<CoinStepFigures>();
        for (int it = 1; it <= 4; it++)
        {
            var calls = perceptual.Calls;
            var step = trainer.Step();
            var figures = Assert.IsType<CoinStepFigures>(hooks.Last);
            if (it % 2 == 1)
            {
                // Iterations 1 and 3: P(I_C, I*) at 2 x the weight (its mean weight per step stays PerceptualWeight).
                Assert.Equal(calls + 1, perceptual.Calls);
                Assert.True(figures.Perceptual > 0);
                Assert.Equal(2 * coin.PerceptualWeight * figures.Perceptual + coin.OffsetL1Weight * figures.OffsetL1, step.Extra, 4);
                scored.Add(figures);
            }
            else
            {
                // Iterations 2 and 4: no network and no I_C; the figures keep the last measured perceptual value and I_C PSNR.
                Assert.Equal(calls, perceptual.Calls);
                Assert.Equal(coin.OffsetL1Weight * figures.OffsetL1, step.Extra, 5);
                Assert.Equal(scored[^1].Perceptual, figures.Perceptual);
                Assert.Equal(scored[^1].ConsistentPsnr, figures.ConsistentPsnr);
                Assert.True(figures.OffsetL1 > 0);
            }
        }
        Assert.Equal(2, perceptual.Calls);
    }

    [Fact]
    public void Every_step_is_the_default_and_zero_is_refused()
    {
        Assert.Equal(1, new CoinOptions().PerceptualEvery);
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new CoinOptions { PerceptualEvery = 0 }.Validated());
    }

    private sealed class CountingPerceptualLoss(IPerceptualLoss inner) : IPerceptualLoss
    {
        public int Calls { get; private set; }

        public string Name => inner.Name;

        public Tensor Loss(Tensor rendered, Tensor target, Tensor? mask = null)
        {
            Calls++;
            return inner.Loss(rendered, target, mask);
        }
    }
}
