using System.Numerics;
using System.Runtime.CompilerServices;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>The SIMD CPU rasterizer's float32 vector exp (public so benchmarks can measure the machine's limit with it).</summary>
public static class VectorExp
{
    /// <summary>
    /// float32 exp for the rasterizer's arguments (x &lt;= 0; below -87 the result flushes to 0): Cody-Waite reduction
    /// x = n ln2 + r, |r| &lt;= ln2/2, the Cephes degree-6 polynomial for e^r (relative error about 1e-7, 1-2 ulp), and
    /// 2^n by exponent bits. Native float arithmetic throughout (Vector.Exp widens float32 to float64, about twice the work).
    /// The clamp and the conversion use the native single instructions (MinNative, MaxNative, ConvertToInt32Native): they
    /// differ from Vector.Min/Max/ConvertToInt32 only for NaN, equal zeros of opposite sign and out-of-range conversions,
    /// none of which reach them here except in NaN lanes the kernel masks out (x is clamped to [-87, 88] before n is formed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        var lower = new Vector<float>(-87f);
        var tiny = Vector.LessThan(x, lower);
        x = Vector.MinNative(Vector.MaxNative(x, lower), new Vector<float>(88f));
        var n = Vector.Floor(x * new Vector<float>(1.44269504088896341f) + new Vector<float>(0.5f));
        var r = x - n * new Vector<float>(0.693359375f) + n * new Vector<float>(2.12194440e-4f);
        var p = new Vector<float>(1.9875691500e-4f);
        p = p * r + new Vector<float>(1.3981999507e-3f);
        p = p * r + new Vector<float>(8.3334519073e-3f);
        p = p * r + new Vector<float>(4.1665795894e-2f);
        p = p * r + new Vector<float>(1.6666665459e-1f);
        p = p * r + new Vector<float>(5.0000001201e-1f);
        p = p * (r * r) + r + Vector<float>.One;
        var bits = Vector.ShiftLeft(Vector.ConvertToInt32Native(n) + new Vector<int>(127), 23);
        var result = p * Vector.AsVectorSingle(bits);
        return Vector.AndNot(result, Vector.AsVectorSingle(tiny));
    }
}
