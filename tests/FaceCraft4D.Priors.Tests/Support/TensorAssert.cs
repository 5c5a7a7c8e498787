using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Support;

public static class TensorAssert
{
    public static void Shape(Tensor t, params long[] expected)
        => Assert.Equal(expected, t.shape);

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= tolerance, $"max |diff| = {diff:E3} > {tolerance:E3}");
    }

    public static void Identical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = MaxAbsDiff(expected, actual);
        Assert.True(diff == 0, $"tensors differ (max |diff| = {diff:E3})");
    }

    public static void Finite(Tensor t)
    {
        using var ok = t.isfinite().all();
        Assert.True(ok.item<bool>(), "tensor has NaN or Inf");
    }
}
