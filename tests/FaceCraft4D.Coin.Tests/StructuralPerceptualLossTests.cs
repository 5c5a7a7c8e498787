using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin.Tests;

public sealed class StructuralPerceptualLossTests
{
    private static Tensor Pattern(int size, ScalarType dtype = ScalarType.Float32)
    {
        var y = HeldScalarOps.Arange(size, dtype).unsqueeze(1).expand(size, size);
        var x = HeldScalarOps.Arange(size, dtype).unsqueeze(0).expand(size, size);
        var r = (torch.sin(x.Times(0.7)) * torch.cos(y.Times(0.4))).Times(0.3).Plus(0.5);
        var g = torch.sin(x.Plus(y).Times(0.3)).Times(0.3).Plus(0.5);
        var b = HeldScalarOps.Hold(2.ToScalar(), held => x.DividedBy(8).floor().Plus(y.DividedBy(8).floor()).remainder(held)).Times(0.4).Plus(0.3);
        return torch.stack([r, g, b], 2);
    }

    [Fact]
    public void Identical_images_have_zero_loss_and_structure_counts_more_than_a_colour_cast()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new StructuralPerceptualLoss();
        var image = Pattern(64);
        var cast = (image * torch.tensor(new float[] { 1.2f, 0.85f, 1.0f })).Plus(0.08).Clamped(0, 1);
        var blurred = torch.nn.functional.avg_pool2d(image.permute(2, 0, 1).unsqueeze(0), 5, 1, 2).squeeze(0).permute(1, 2, 0);

        double same = loss.Loss(image, image).item<float>();
        double castLoss = loss.Loss(cast, image).item<float>();
        double blurLoss = loss.Loss(blurred, image).item<float>();
        double castL1 = (cast - image).abs().mean().item<float>(), blurL1 = (blurred - image).abs().mean().item<float>();

        Assert.True(Math.Abs(same) < 1e-5, $"identical: {same}");
        // The cast changes pixels more than the blur does (L1), yet costs far less structure.
        Assert.True(castL1 > blurL1, $"L1 cast {castL1:F4} vs blur {blurL1:F4}");
        Assert.True(blurLoss > 5 * castLoss, $"blur {blurLoss:F4} vs cast {castLoss:F4}");
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new StructuralPerceptualLoss(maxScales: 2);
        var target = Pattern(24, ScalarType.Float64);
        var image = target.Plus(torch.randn(target.shape, ScalarType.Float64, generator: new torch.Generator(3)).Times(0.05)).detach().requires_grad_(true);
        loss.Loss(image, target).backward();
        var grad = image.grad!;
        const double eps = 1e-6;
        foreach (var (y, x, c) in new[] { (3, 4, 0), (12, 12, 1), (20, 7, 2), (0, 23, 0) })
        {
            using var noGrad = torch.no_grad();
            var plus = image.detach().clone();
            plus[y, x, c] += eps;
            var minus = image.detach().clone();
            minus[y, x, c] -= eps;
            double numeric = (loss.Loss(plus, target).item<double>() - loss.Loss(minus, target).item<double>()) / (2 * eps);
            double analytic = grad[y, x, c].item<double>();
            Assert.True(Math.Abs(numeric - analytic) <= 1e-6 + 1e-4 * Math.Abs(numeric), $"({y},{x},{c}): numeric {numeric:E4} analytic {analytic:E4}");
        }
    }
}
