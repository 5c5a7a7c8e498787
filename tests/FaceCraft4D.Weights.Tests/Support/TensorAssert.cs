using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests.Support;

public static class TensorAssert
{
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
        Assert.Equal(expected.dtype, actual.dtype);
        using var same = expected.eq(actual).all();
        Assert.True(same.item<bool>(), "tensors differ");
    }
}
