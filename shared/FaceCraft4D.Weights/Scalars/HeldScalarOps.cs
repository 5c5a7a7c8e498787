using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Scalars;

/// <summary>
/// Tensor-with-number operations whose native <see cref="Scalar"/>s stay referenced until the native call returns.
/// TorchSharp 0.107 turns a number operand (<c>x + 1e-5</c>, <c>x * 3</c>, <c>x.pow(2)</c>, <c>clamp(x, 0, 1)</c>,
/// <c>leaky_relu(x, 0.2)</c>, <c>arange(n)</c>, <c>full(.., v)</c>, <c>masked_fill(.., v)</c>, and the hidden
/// <c>alpha = 1</c> of <c>add</c> and of the tensor <c>+</c> operator) into a Scalar that nothing references once its
/// handle has been passed, so a garbage collection during the call can let the finalizer free it while libtorch still
/// reads it (dotnet/TorchSharp#1434): "Expected false to be true" or "Unknown scalar type" from the scalar conversion,
/// or, when the memory has been reused, a silently wrong constant. Each method here disposes its Scalars after the call,
/// which also keeps them alive through it. This is the one copy for every project (the lowest one that references
/// TorchSharp); <c>HeldScalarOpsTests</c> runs them beside a thread that forces collections and finalizers.
/// </summary>
public static class HeldScalarOps
{
    /// <summary>x + value</summary>
    public static Tensor Plus(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return x.add(v, one);
    }

    /// <summary>x + y (tensor + tensor; the operator passes an unheld alpha = 1).</summary>
    public static Tensor Plus(this Tensor x, Tensor y)
    {
        using var one = 1.ToScalar();
        return x.add(y, one);
    }

    /// <summary>x + alpha · y</summary>
    public static Tensor PlusScaled(this Tensor x, Tensor y, double alpha)
    {
        using var a = alpha.ToScalar();
        return x.add(y, a);
    }

    /// <summary>x += y, in place (returns x).</summary>
    public static Tensor PlusInPlace(this Tensor x, Tensor y)
    {
        using var one = 1.ToScalar();
        return x.add_(y, one);
    }

    /// <summary>x − value</summary>
    public static Tensor Minus(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.sub(v);
    }

    /// <summary>value − x (computed as −x + value, the same float).</summary>
    public static Tensor SubtractedFrom(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return x.neg().add_(v, one);
    }

    /// <summary>value − x for integer tensors (an integer Scalar keeps the integer dtype).</summary>
    public static Tensor SubtractedFrom(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return x.neg().add_(v, one);
    }

    /// <summary>x · value</summary>
    public static Tensor Times(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.mul(v);
    }

    /// <summary>x · value for integer tensors (an integer Scalar keeps the integer dtype).</summary>
    public static Tensor Times(this Tensor x, long value)
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

    /// <summary>x ^ exponent</summary>
    public static Tensor Power(this Tensor x, double exponent)
    {
        using var e = exponent.ToScalar();
        return x.pow(e);
    }

    /// <summary>x clamped to [min, max].</summary>
    public static Tensor Clamped(this Tensor x, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return x.clamp(low, high);
    }

    /// <summary>max(x, min)</summary>
    public static Tensor ClampedMin(this Tensor x, double min)
    {
        using var low = min.ToScalar();
        return x.clamp_min(low);
    }

    /// <summary>min(x, max)</summary>
    public static Tensor ClampedMax(this Tensor x, double max)
    {
        using var high = max.ToScalar();
        return x.clamp_max(high);
    }

    /// <summary>min(x, max), in place (returns x).</summary>
    public static Tensor ClampMaxInPlace(this Tensor x, double max)
    {
        using var high = max.ToScalar();
        return x.clamp_max_(high);
    }

    /// <summary>x &gt; value (boolean).</summary>
    public static Tensor IsGreaterThan(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.gt(v);
    }

    /// <summary>x ≥ value (boolean).</summary>
    public static Tensor IsAtLeast(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.ge(v);
    }

    /// <summary>x &lt; value (boolean).</summary>
    public static Tensor IsLessThan(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.lt(v);
    }

    /// <summary>x ≤ value (boolean).</summary>
    public static Tensor IsAtMost(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.le(v);
    }

    /// <summary>x ≠ value (boolean).</summary>
    public static Tensor IsNotEqualTo(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.ne(v);
    }

    /// <summary>LeakyReLU with <paramref name="negativeSlope"/>.</summary>
    public static Tensor LeakyRelu(this Tensor x, double negativeSlope)
    {
        using var slope = negativeSlope.ToScalar();
        return x.leaky_relu(slope);
    }

    /// <summary>x += value, in place (returns x).</summary>
    public static Tensor PlusInPlace(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return x.add_(v, one);
    }

    /// <summary>
    /// Softplus with beta 1 and threshold 20: log(1 + eˣ), and x itself above 20 (TorchSharp's <c>softplus</c> converts
    /// both numbers unheld). The exponent is clamped at the threshold so the branch <c>where</c> drops never produces an
    /// infinite gradient.
    /// </summary>
    public static Tensor Softplus(this Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return torch.where(x.IsGreaterThan(20L), x, x.ClampedMax(20L).exp().log1p()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mish, x · tanh(softplus(x)) with softplus's beta 1 and threshold 20 (x above 20 passes through); TorchSharp's
    /// <c>functional.mish</c> converts both numbers unheld. The exponent is clamped at the threshold so the branch
    /// <c>where</c> drops never produces an infinite gradient.
    /// </summary>
    public static Tensor Mish(this Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return x.mul(x.Softplus().tanh()).MoveToOuterDisposeScope();
    }

    /// <summary>x with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public static Tensor MaskedFilled(this Tensor x, Tensor mask, double value)
    {
        using var v = value.ToScalar();
        return x.masked_fill(mask, v);
    }

    /// <summary>Fills x with <paramref name="value"/>, in place (returns x).</summary>
    public static Tensor FilledWith(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.fill_(v);
    }

    /// <summary>A tensor like x (shape, dtype, device) filled with <paramref name="value"/>.</summary>
    public static Tensor FullLike(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return torch.full_like(x, v);
    }

    /// <summary>0, 1, …, n − 1.</summary>
    public static Tensor Arange(long n, ScalarType dtype, Device? device = null)
    {
        using var start = 0.ToScalar();
        using var stop = n.ToScalar();
        using var step = 1.ToScalar();
        return torch.arange(start, stop, step, dtype, device);
    }

    /// <summary>start, start + step, … below stop (integer Scalars).</summary>
    public static Tensor Arange(long start, long stop, long step, ScalarType dtype, Device? device = null)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        using var delta = step.ToScalar();
        return torch.arange(first, end, delta, dtype, device);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype, Device device)
    {
        using var v = value.ToScalar();
        return torch.full(shape, v, dtype, device);
    }

    /// <summary>x + value with an integer Scalar (an integer tensor stays integer).</summary>
    public static Tensor Plus(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return x.add(v, one);
    }

    /// <summary>x − value with an integer Scalar (an integer tensor stays integer).</summary>
    public static Tensor Minus(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        return x.sub(v);
    }

    /// <summary>x ^ exponent with an integer exponent (an integer tensor stays integer).</summary>
    public static Tensor Power(this Tensor x, long exponent)
    {
        using var e = exponent.ToScalar();
        return x.pow(e);
    }

    /// <summary>x clamped to [min, max] with integer bounds (an integer tensor stays integer).</summary>
    public static Tensor Clamped(this Tensor x, long min, long max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return x.clamp(low, high);
    }

    /// <summary>max(x, min) with an integer bound (an integer tensor stays integer).</summary>
    public static Tensor ClampedMin(this Tensor x, long min)
    {
        using var low = min.ToScalar();
        return x.clamp_min(low);
    }

    /// <summary>min(x, max) with an integer bound (an integer tensor stays integer).</summary>
    public static Tensor ClampedMax(this Tensor x, long max)
    {
        using var high = max.ToScalar();
        return x.clamp_max(high);
    }

    /// <summary>x clamped to [min, max], in place (returns x).</summary>
    public static Tensor ClampInPlace(this Tensor x, double min, double max)
    {
        using var low = min.ToScalar();
        using var high = max.ToScalar();
        return x.clamp_(low, high);
    }

    /// <summary>max(x, min), in place (returns x).</summary>
    public static Tensor ClampMinInPlace(this Tensor x, double min)
    {
        using var low = min.ToScalar();
        return x.clamp_min_(low);
    }

    /// <summary>x = value (boolean).</summary>
    public static Tensor IsEqualTo(this Tensor x, double value)
    {
        using var v = value.ToScalar();
        return x.eq(v);
    }

    /// <summary>x = value with an integer Scalar (boolean; exact for any 64-bit id).</summary>
    public static Tensor IsEqualTo(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        return x.eq(v);
    }

    /// <summary>x ≠ value with an integer Scalar (boolean; exact for any 64-bit id).</summary>
    public static Tensor IsNotEqualTo(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        return x.ne(v);
    }

    /// <summary>x &gt; value with an integer Scalar (boolean).</summary>
    public static Tensor IsGreaterThan(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        return x.gt(v);
    }

    /// <summary>x ≥ value with an integer Scalar (boolean).</summary>
    public static Tensor IsAtLeast(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        return x.ge(v);
    }

    /// <summary>x &lt; value with an integer Scalar (boolean).</summary>
    public static Tensor IsLessThan(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        return x.lt(v);
    }

    /// <summary>x ≤ value with an integer Scalar (boolean).</summary>
    public static Tensor IsAtMost(this Tensor x, long value)
    {
        using var v = value.ToScalar();
        return x.le(v);
    }

    /// <summary>x = value for boolean tensors (boolean).</summary>
    public static Tensor IsEqualTo(this Tensor x, bool value)
    {
        using var v = value.ToScalar();
        return x.eq(v);
    }

    /// <summary>Fills a boolean tensor with <paramref name="value"/>, in place (returns x).</summary>
    public static Tensor FilledWith(this Tensor x, bool value)
    {
        using var v = value.ToScalar();
        return x.fill_(v);
    }

    /// <summary>Writes <paramref name="value"/> where <paramref name="mask"/> is true, in place (returns x).</summary>
    public static Tensor MaskedFillInPlace(this Tensor x, Tensor mask, double value)
    {
        using var v = value.ToScalar();
        return x.masked_fill_(mask, v);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> with <paramref name="scalar"/> (made with <c>value.ToScalar()</c>) and disposes the
    /// Scalar after it returns, so it stays alive through the native call: the form for the calls that have no named
    /// method here, e.g. <c>Hold(n.ToScalar(), stop =&gt; torch.arange(stop, ScalarType.Int64, device))</c>.
    /// </summary>
    public static T Hold<T>(Scalar scalar, Func<Scalar, T> operation)
    {
        using (scalar)
            return operation(scalar);
    }

    /// <summary><see cref="Hold{T}(Scalar, Func{Scalar, T})"/> for calls that take two Scalars.</summary>
    public static T Hold<T>(Scalar first, Scalar second, Func<Scalar, Scalar, T> operation)
    {
        using (first)
        using (second)
            return operation(first, second);
    }
}
