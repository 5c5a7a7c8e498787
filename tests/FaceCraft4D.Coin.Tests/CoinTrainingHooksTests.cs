using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Training;
using TorchSharp;

namespace FaceCraft4D.Coin.Tests;

public sealed class CoinTrainingHooksTests
{
    [Fact]
    public void A_step_renders_both_images_adds_the_coin_terms_and_moves_only_the_supervised_views_embedding()
    {
        using var scene = new SyntheticHeadScene(size: 24, viewCount: 4);
        using var scope = torch.NewDisposeScope();
        using var avatar = FlameGaussianAvatar.Create(scene.Flame, scene.Shape, localScale: 0.7);
        var view = new TrainingView { Camera = scene.TrainingCameras[2], Image = scene.Render(scene.TrainingCameras[2]), Index = 2 };
        var options = TrainingOptions.FlameAvatarDefaults();
        options.Iterations = 1;
        options.Densification.Enabled = false;
        var coin = new CoinOptions { EmbeddingDimension = 4, HiddenDimension = 8, CentreOffsets = false }; // uncentred: one embedding row per step
        using var appearance = CoinAppearance.Create(4, PositionEncoding.Fit(CanonicalPositions.Of(avatar), 2), coin, seed: 1);
        var before = appearance.Embeddings.detach().clone();
        var hooks = new CoinTrainingHooks(appearance, new StructuralPerceptualLoss(), coin, options, scene.Rasterizer);
        using var trainer = new GaussianTrainer(avatar, [view], options, hooks.Hooks, scene.Rasterizer);

        var step = trainer.Step();

        var figures = Assert.IsType<CoinStepFigures>(hooks.Last);
        Assert.True(figures.Perceptual > 0 && figures.OffsetL1 > 0 && double.IsFinite(figures.ConsistentPsnr));
        Assert.Equal(coin.PerceptualWeight * figures.Perceptual + coin.OffsetL1Weight * figures.OffsetL1, step.Extra, 4);
        var moved = (appearance.Embeddings.detach() - before).abs().sum(1);
        Assert.True(moved[2].item<float>() > 0, "the supervised view's embedding is stepped");
        Assert.Equal(0f, moved[0].item<float>() + moved[1].item<float>() + moved[3].item<float>());
    }

    [Fact]
    public void Random_backgrounds_are_refused()
    {
        var options = new TrainingOptions { RandomBackground = true };
        using var appearance = CoinAppearance.Create(2, new PositionEncoding([0, 0, 0], [1, 1, 1], 1), new CoinOptions(), 1);
        Assert.Throws<ArgumentException>(() => new CoinTrainingHooks(appearance, new StructuralPerceptualLoss(), new CoinOptions(), options));
    }
}
