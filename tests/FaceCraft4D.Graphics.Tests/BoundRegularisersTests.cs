using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// The fused position/scale regularisers (<see cref="BoundRegularisersFunction"/>) against the trainer's tensor formulas in
/// float64 (value and autograd gradients; rows inside and outside the thresholds, invisible rows) and with nothing visible.
/// </summary>
public sealed class BoundRegularisersTests
{
    private static readonly BoundRegularisersFunction.Settings Settings = new(0.01, 1.0, 1.0, 0.6);

    /// <summary>The trainer's tensor path: relu(|mu| - tp).mean() and relu(exp(s) - ts).norm(1).mean() over the visible rows.</summary>
    private static Tensor Reference(Tensor positions, Tensor logScales, Tensor visible)
    {
        var index = visible.nonzero().flatten();
        return torch.nn.functional.relu(positions.index_select(0, index).norm(1).Minus(Settings.PositionThreshold)).mean().Times(Settings.PositionWeight).Plus(torch.nn.functional.relu(logScales.exp().index_select(0, index).Minus(Settings.ScaleThreshold)).norm(1).mean().Times(Settings.ScaleWeight));
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 1e-5)]
    public void Value_and_gradients_equal_the_tensor_path(ScalarType dtype, double tolerance)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(5);
        const long n = 41;
        var positions = torch.randn([n, 3], ScalarType.Float64, generator: g).Times(0.9).to_type(dtype).requires_grad_(true);
        var logScales = torch.randn([n, 3], ScalarType.Float64, generator: g).Times(0.6).Minus(0.5).to_type(dtype).requires_grad_(true);
        var visible = torch.rand([n], generator: g).IsGreaterThan(0.3);
        // Some rows inside both thresholds (no gradient), exercised explicitly.
        using (torch.no_grad()) { positions[0].FilledWith(0.1); logScales[0].FilledWith(-3.0); visible[0].FilledWith(true); }

        Assert.True(BoundRegularisersFunction.Supports(positions, logScales, visible));
        var fused = BoundRegularisersFunction.Apply(positions, logScales, visible, Settings);
        fused.backward();
        var (gp, gs) = (positions.grad!.clone(), logScales.grad!.clone());
        positions.grad!.zero_(); logScales.grad!.zero_();
        var reference = Reference(positions, logScales, visible);
        reference.backward();
        Assert.Equal(0, fused.ndim);
        Assert.True(reference.to_type(ScalarType.Float64).item<double>() > 0.05, "the scene must exceed the thresholds");
        Assert.True(Math.Abs(fused.to_type(ScalarType.Float64).item<double>() - reference.to_type(ScalarType.Float64).item<double>()) < tolerance);
        Assert.True((gp - positions.grad!).abs().max().to_type(ScalarType.Float64).item<double>() < tolerance);
        Assert.True((gs - logScales.grad!).abs().max().to_type(ScalarType.Float64).item<double>() < tolerance);
        Assert.Equal(0.0, gp[0].abs().sum().to_type(ScalarType.Float64).item<double>());
        Assert.True(gp.abs().sum().to_type(ScalarType.Float64).item<double>() > 0 && gs.abs().sum().to_type(ScalarType.Float64).item<double>() > 0);
    }

    [Fact]
    public void Nothing_visible_gives_zero_and_no_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var positions = torch.ones([4, 3]).Times(5).requires_grad_(true);
        var logScales = torch.ones([4, 3]).requires_grad_(true);
        var fused = BoundRegularisersFunction.Apply(positions, logScales, torch.zeros([4], ScalarType.Bool), Settings);
        fused.backward();
        Assert.Equal(0.0f, fused.item<float>());
        Assert.Equal(0.0f, positions.grad!.abs().sum().item<float>());
        Assert.Equal(0.0f, logScales.grad!.abs().sum().item<float>());
    }
}
