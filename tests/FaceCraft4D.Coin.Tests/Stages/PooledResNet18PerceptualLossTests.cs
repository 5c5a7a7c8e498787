using FaceCraft4D.Stages.Training;
using FaceCraft4D.Vision.Perceptual.ResNet18;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>
/// The ResNet-18 perceptual loss with <see cref="ResNet18PerceptualLoss.Downsample"/> 2: the loss of the images and mask
/// average-pooled 2 x 2 by hand through the unpooled loss (same trunk weights), a gradient at the full resolution, and the
/// target cache holding the pooled taps (a quarter of the memory). A random trunk at 64 px.
/// </summary>
public sealed class PooledResNet18PerceptualLossTests
{
    private static Tensor Pool(Tensor hwc) => nn.functional.avg_pool2d(hwc.permute(2, 0, 1).unsqueeze(0), 2, 2).squeeze(0).permute(1, 2, 0); // [H, W, C] -> [H/2, W/2, C]

    [Fact]
    public void Pooled_loss_equals_the_loss_of_the_pooled_images_and_the_cache_holds_pooled_taps()
    {
        var trunk = new ResNet18Trunk();
        var copy = new ResNet18Trunk();
        copy.load_state_dict(trunk.state_dict());
        using var pooled = new ResNet18PerceptualLoss(new ResNet18FeatureDistance(trunk, CPU), downsample: 2);
        using var plain = new ResNet18PerceptualLoss(new ResNet18FeatureDistance(copy, CPU));
        using var cached = new TargetFeatureCachedLoss(pooled, 64L * 1024 * 1024);
        var g = new Generator(6);
        using var target = torch.rand(64, 64, 3, generator: g);
        using var image = torch.rand(64, 64, 3, generator: g);
        using var mask = torch.rand(64, 64, generator: g).IsGreaterThan(0.3).to(ScalarType.Float32);
        using var scope = torch.NewDisposeScope();

        float expected = plain.Loss(Pool(image), Pool(target), Pool(mask.unsqueeze(2)).squeeze(2)).item<float>();
        var rendered = image.clone().requires_grad_(true);
        var direct = pooled.Loss(rendered, target, mask);
        direct.backward();
        float viaCache = cached.Loss(image, target, mask).item<float>();

        Assert.True(expected > 0);
        Assert.Equal(expected, direct.item<float>(), expected * 1e-4f);
        Assert.Equal(expected, viaCache, expected * 1e-4f);
        Assert.Equal(new long[] { 64, 64, 3 }, rendered.grad!.shape);
        Assert.True(rendered.grad!.abs().sum().item<float>() > 0);
        // Taps of a 32 px input: relu1 64x16x16 + layer1 64x8x8 + layer2 128x4x4 + layer3 256x2x2 + layer4 512x1x1 floats.
        Assert.Equal(4L * (64 * 16 * 16 + 64 * 8 * 8 + 128 * 4 * 4 + 256 * 2 * 2 + 512 * 1 * 1), cached.CachedBytes);
    }

    [Fact]
    public void Each_pooling_factor_and_perceptual_schedule_has_its_own_training_stage_versions()
    {
        var shapePrior = Microsoft.Extensions.Options.Options.Create(new FaceCraft4D.Stages.ShapePrior.ShapePriorStageOptions());
        TrainingStageOptions Options(int k, int every, double finalPhase = 0) =>
            new TrainingStageOptions { PerceptualDownsample = k, ReferenceFinalPhase = finalPhase, Coin = new() { PerceptualEvery = every, PerceptualWeight = 0.025 } }.Validated();
        int Static(int k, int every) => new TrainStaticStageHandler(null!, null!, Microsoft.Extensions.Options.Options.Create(Options(k, every)), shapePrior).ImplementationVersion;
        int Coin(int k, int every, double finalPhase) => new TrainCoinStageHandler(null!, null!, null!,
            Microsoft.Extensions.Options.Options.Create(Options(k, every, finalPhase)), shapePrior).ImplementationVersion;

        // The schedule until s30 (full size, every second iteration) keeps its versions.
        Assert.Equal([6, 16, 26], new[] { Static(1, 2), Static(2, 2), Static(3, 2) });
        Assert.Equal([6, 7, 16, 17], new[] { Coin(1, 2, 0), Coin(1, 2, 0.5), Coin(2, 2, 0), Coin(2, 2, 0.5) });
        // Every iteration (the default since s30) and other schedules are distinct from it and from each other.
        Assert.Equal([106, 116, 306], new[] { Static(1, 1), Static(2, 1), Static(1, 3) });
        Assert.Equal([116, 117], new[] { Coin(2, 1, 0), Coin(2, 1, 0.5) });
        var defaults = new TrainingStageOptions();
        Assert.Equal((2, 1), (defaults.PerceptualDownsample, defaults.Coin.PerceptualEvery));
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new TrainingStageOptions { PerceptualDownsample = 0 }.Validated());
    }
}
