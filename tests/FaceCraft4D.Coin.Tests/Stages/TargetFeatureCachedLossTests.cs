using FaceCraft4D.Stages.Training;
using FaceCraft4D.Vision.Perceptual.ResNet18;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests.Stages;

/// <summary>
/// The per-run cache of the ResNet-18 perceptual loss's target taps (<see cref="TargetFeatureCachedLoss"/>): the same loss
/// value and gradient as the uncached loss (target and render in one batch), taps held across the trainer's dispose scopes,
/// and the memory budget respected. A trunk with random weights (the comparison does not depend on them) at 64 px.
/// </summary>
public sealed class TargetFeatureCachedLossTests
{
    private static (float Value, Tensor Grad) LossAndGrad(IPerceptualLoss loss, Tensor image, Tensor target, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var rendered = image.clone().requires_grad_(true);
        var value = loss.Loss(rendered, target, mask);
        value.backward();
        return (value.item<float>(), rendered.grad!.clone().MoveToOuterDisposeScope());
    }

    [Fact]
    public void Cached_target_taps_give_the_uncached_loss_and_gradient_and_are_computed_once_per_target()
    {
        using var resnet = new ResNet18PerceptualLoss(new ResNet18FeatureDistance(new ResNet18Trunk(), CPU));
        using var cached = new TargetFeatureCachedLoss(resnet, 64L * 1024 * 1024);
        var g = new Generator(4);
        using var targetA = torch.rand(64, 64, 3, generator: g);
        using var targetB = torch.rand(64, 64, 3, generator: g);
        using var image = torch.rand(64, 64, 3, generator: g);
        using var mask = torch.rand(64, 64, generator: g).IsGreaterThan(0.3).to(ScalarType.Float32);

        foreach (var target in new[] { targetA, targetB, targetA })
        {
            // Each step in its own dispose scope, as in the trainer: the held taps must outlive it.
            using var step = torch.NewDisposeScope();
            var (expected, expectedGrad) = LossAndGrad(resnet, image, target, mask);
            var (actual, actualGrad) = LossAndGrad(cached, image, target, mask);
            Assert.True(expected > 0);
            Assert.Equal(expected, actual, expected * 1e-4f);
            double scale = expectedGrad.abs().max().item<float>();
            Assert.True(scale > 0);
            Assert.True((actualGrad - expectedGrad).abs().max().item<float>() <= 1e-3 * scale, "gradients differ");
        }

        Assert.Equal(2, cached.CachedTargets);
        // relu1 64x32x32 + layer1 64x16x16 + layer2 128x8x8 + layer3 256x4x4 + layer4 512x2x2 floats per target.
        Assert.Equal(2L * 4 * (64 * 32 * 32 + 64 * 16 * 16 + 128 * 8 * 8 + 256 * 4 * 4 + 512 * 2 * 2), cached.CachedBytes);
        using (torch.NewDisposeScope())
            Assert.Equal(0f, cached.Loss(targetA, targetA).item<float>(), 6);
    }

    [Fact]
    public void Past_the_budget_targets_are_not_held_and_the_loss_is_unchanged()
    {
        using var resnet = new ResNet18PerceptualLoss(new ResNet18FeatureDistance(new ResNet18Trunk(), CPU));
        using var cached = new TargetFeatureCachedLoss(resnet, budgetBytes: 1024);
        var g = new Generator(5);
        using var target = torch.rand(64, 64, 3, generator: g);
        using var image = torch.rand(64, 64, 3, generator: g);
        using var mask = torch.ones(64, 64);

        var (expected, _) = LossAndGrad(resnet, image, target, mask);
        var (actual, grad) = LossAndGrad(cached, image, target, mask);

        Assert.Equal(expected, actual, expected * 1e-4f);
        Assert.True(grad.abs().sum().item<float>() > 0);
        Assert.Equal((0, 0L), (cached.CachedTargets, cached.CachedBytes));
    }
}
