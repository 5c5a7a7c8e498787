using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.ImageQuality;

/// <summary>
/// The separable Gaussian filter of <see cref="Ssim"/> as two matrix products: along the width <c>t · Mw</c> and along the
/// height <c>Mhᵀ · t</c>, where <c>M[i, j] = g[i − j + pad]</c> (zero outside the window) is the banded matrix of the 1-D
/// cross-correlation with padding <c>pad</c> (0: valid, win / 2: zero padding). It computes exactly the sums of the
/// grouped <c>conv2d</c> pair (the same products, summed in another order), but as two large GEMMs instead of per-channel
/// convolutions and with one autograd node per axis, which on the CPU is several times faster for the small images of
/// training. The matrices are built once per (side, window, σ, padding, dtype, device) and kept: one bank per user
/// (trainer, loss), not shared between threads.
/// </summary>
public sealed class GaussianFilterBank : IDisposable
{
    private readonly Dictionary<(long Side, int Window, double Sigma, long Pad, ScalarType Type, string Device), Tensor> _matrices = new();

    /// <summary>Matrices kept (for tests).</summary>
    public int CachedMatrices => _matrices.Count;

    /// <summary>Filters [N, C, H, W] along both image axes.</summary>
    /// <returns>[N, C, H + 2 pad − win + 1, W + 2 pad − win + 1]</returns>
    public Tensor Apply(Tensor t, int window, double sigma, SsimPadding padding)
    {
        long pad = padding == SsimPadding.Zero ? window / 2 : 0;
        using var scope = torch.NewDisposeScope();
        var mw = Matrix(t.shape[3], window, sigma, pad, t.dtype, t.device); // [W, W']
        var mh = Matrix(t.shape[2], window, sigma, pad, t.dtype, t.device); // [H, H']
        var alongWidth = torch.matmul(t, mw); // [N, C, H, W']
        return torch.matmul(mh.t(), alongWidth).MoveToOuterDisposeScope(); // [N, C, H', W']
    }

    /// <summary>The banded matrix [side, side + 2 pad − win + 1] of the 1-D filter (cached).</summary>
    public Tensor Matrix(long side, int window, double sigma, long pad, ScalarType dtype, Device device)
    {
        var key = (side, window, sigma, pad, dtype, device.ToString());
        if (_matrices.TryGetValue(key, out var cached)) return cached;
        long outSide = side + 2 * pad - window + 1;
        if (outSide < 1) throw new ArgumentException($"A window of {window} does not fit a side of {side} with padding {pad}.");
        var g = new double[window];
        double c = (window - 1) / 2.0, total = 0;
        for (int i = 0; i < window; i++) total += g[i] = Math.Exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        for (int i = 0; i < window; i++) g[i] /= total;
        var m = new double[side * outSide];
        for (long j = 0; j < outSide; j++)
        for (int u = 0; u < window; u++)
        {
            long i = j + u - pad;
            if (i >= 0 && i < side) m[i * outSide + j] = g[u];
        }
        var matrix = torch.tensor(m, [side, outSide], ScalarType.Float64).to(dtype, device).DetachFromDisposeScope();
        _matrices[key] = matrix;
        return matrix;
    }

    /// <summary>Disposes the matrices.</summary>
    public void Dispose()
    {
        foreach (var m in _matrices.Values) m.Dispose();
        _matrices.Clear();
    }
}
