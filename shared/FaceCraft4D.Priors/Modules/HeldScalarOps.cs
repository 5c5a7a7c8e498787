using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Modules;

/// <summary>
/// Tensor-with-number operations whose native <see cref="Scalar"/>s stay referenced until the native call returns.
/// TorchSharp 0.107 turns a number operand (<c>x + 1e-5</c>, <c>x * 3</c>, <c>leaky_relu(x, 0.2)</c>, <c>arange(n)</c>,
/// and the hidden <c>alpha = 1</c> of <c>add</c>) into a Scalar that nothing references once its handle has been
/// passed, so a garbage collection during the call can let the finalizer free it while libtorch still reads it
/// (dotnet/TorchSharp#1434): "Expected false to be true" from the scalar conversion, or, when the memory has been reused,
/// a silently wrong constant. The LivePortrait networks and ModuleRandomizer use these instead of the operators. Each method disposes its
/// Scalars after the call, which also keeps them alive through it.
/// </summary>
internal static class HeldScalarOps
{
    /// <summary>x + value</summary>
    public static Tensor Plus(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return x.add(v, one);
    }

    /// <summary>x − value</summary>
    public static Tensor Minus(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.sub(v);
    }

    /// <summary>x · value</summary>
    public static Tensor Times(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.mul(v);
    }

    /// <summary>x / value</summary>
    public static Tensor DividedBy(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.div(v);
    }

    /// <summary>LeakyReLU with <paramref name="negativeSlope"/>.</summary>
    public static Tensor LeakyRelu(this Tensor x, double negativeSlope)
    {
        using var slope = negativeSlope.ToScalar();
        return x.leaky_relu(slope);
    }

    /// <summary>0, 1, …, n − 1.</summary>
    public static Tensor Arange(long n, ScalarType dtype, Device device)
    {
        using var start = 0.ToScalar();
        using var stop = n.ToScalar();
        using var step = 1.ToScalar();
        return torch.arange(start, stop, step, dtype, device);
    }
}
