using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// One Adam update of a CPU float32 parameter in a single SIMD pass over its raw memory (instead of the ~8 tensor ops and
/// their temporaries of <see cref="AdamOptimizer"/>'s op-by-op path), with the same formulas in the same order:
/// m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; p = p + s m / (sqrt(v / bc2) + eps) with s = -lr / bc1;
/// optionally the gradient is zeroed in the same pass. Scalars are rounded to float32 as libtorch does for float32 tensors;
/// results equal the op-by-op path up to float rounding (fused multiply-adds). Applies to contiguous CPU float32 tensors only
/// (<see cref="Applies"/>).
/// </summary>
internal static unsafe class FusedAdamKernel
{
    /// <summary>Whether the parameter, its gradient and moments can take the fused pass (CPU, float32, contiguous, same size).</summary>
    public static bool Applies(Tensor parameter, Tensor gradient, Tensor m, Tensor v)
    {
        foreach (var t in (ReadOnlySpan<Tensor>)[parameter, gradient, m, v])
            if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Float32 || !t.is_contiguous()) return false;
        long n = parameter.numel();
        return gradient.numel() == n && m.numel() == n && v.numel() == n;
    }

    /// <summary>
    /// Updates <paramref name="parameter"/>, <paramref name="m"/> and <paramref name="v"/> in place from <paramref name="gradient"/>
    /// (all [*], same element count; see <see cref="Applies"/>). <paramref name="stepSize"/> = -lr / (1 - beta1^t),
    /// <paramref name="biasCorrection2"/> = 1 - beta2^t.
    /// </summary>
    public static void Update(Tensor parameter, Tensor gradient, Tensor m, Tensor v, double beta1, double beta2, double stepSize, double biasCorrection2,
        double epsilon, bool zeroGradient)
    {
        long n = parameter.numel();
        if (n == 0) return;
        Update(Ptr(parameter), Ptr(gradient), Ptr(m), Ptr(v), n, (float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2),
            (float)stepSize, (float)biasCorrection2, (float)epsilon, zeroGradient);
    }

    /// <summary>The pass over raw spans (exposed for tests through <see cref="Update(Tensor, Tensor, Tensor, Tensor, double, double, double, double, double, bool)"/>).</summary>
    private static void Update(float* p, float* g, float* m, float* v, long n, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
        float stepSize, float biasCorrection2, float epsilon, bool zeroGradient)
    {
        long i = 0;
        int w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && n >= w)
        {
            var b1 = new Vector<float>(beta1); var c1 = new Vector<float>(oneMinusBeta1);
            var b2 = new Vector<float>(beta2); var c2 = new Vector<float>(oneMinusBeta2);
            var bc2 = new Vector<float>(biasCorrection2); var eps = new Vector<float>(epsilon); var step = new Vector<float>(stepSize);
            for (; i <= n - w; i += w)
            {
                var gv = Unsafe.ReadUnaligned<Vector<float>>(g + i);
                var mv = Unsafe.ReadUnaligned<Vector<float>>(m + i) * b1 + gv * c1;
                var vv = Unsafe.ReadUnaligned<Vector<float>>(v + i) * b2 + gv * gv * c2;
                var denom = Vector.SquareRoot(vv / bc2) + eps;
                var pv = Unsafe.ReadUnaligned<Vector<float>>(p + i) + step * mv / denom;
                Unsafe.WriteUnaligned(m + i, mv);
                Unsafe.WriteUnaligned(v + i, vv);
                Unsafe.WriteUnaligned(p + i, pv);
                if (zeroGradient) Unsafe.WriteUnaligned(g + i, Vector<float>.Zero);
            }
        }
        for (; i < n; i++)
        {
            float gi = g[i];
            float mi = m[i] * beta1 + gi * oneMinusBeta1;
            float vi = v[i] * beta2 + gi * gi * oneMinusBeta2;
            float denom = MathF.Sqrt(vi / biasCorrection2) + epsilon;
            m[i] = mi;
            v[i] = vi;
            p[i] += stepSize * mi / denom;
            if (zeroGradient) g[i] = 0;
        }
    }

    private static float* Ptr(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
