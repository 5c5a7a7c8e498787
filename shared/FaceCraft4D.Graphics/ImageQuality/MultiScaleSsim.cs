using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Graphics.ImageQuality;

/// <summary>
/// Multi-scale SSIM (Wang, Simoncelli, Bovik 2003) built on <see cref="Ssim"/>: at scales 1..M−1 the mean
/// contrast-structure term cs_j, at the coarsest scale the full SSIM; MS-SSIM = ∏_{j&lt;M} cs_j^{w_j} · ssim_M^{w_M} per
/// channel, averaged over channels. Between scales the images are 2×2 average-pooled (an odd trailing row/column is
/// kept as a cell of its own, so a side s becomes ⌈s/2⌉). Negative terms are clamped to 0 before the fractional powers
/// (as pytorch-msssim does). Default weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]: images need sides of at least
/// (11 − 1)·2⁴ + 1 = 161 pixels.
/// </summary>
public static class MultiScaleSsim
{
    /// <summary>The backend name the evaluation records for this metric.</summary>
    public const string Model = "reference:ms-ssim-5scale";

    /// <summary>The evaluation metric: per-image MS-SSIM, in float64.</summary>
    /// <param name="x">[N, C, H, W] in [0, L]</param>
    /// <param name="y">same shape</param>
    /// <param name="options">window, constants, data range, scale weights</param>
    /// <returns>per-image MS-SSIM, length N (computed in float64)</returns>
    public static double[] Compute(Tensor x, Tensor y, SsimOptions? options = null)
    {
        using var scope = torch.NewDisposeScope();
        options ??= new SsimOptions();
        Ssim.RequireSameShape(x, y);
        return Evaluate(x.to(ScalarType.Float64), y.to(ScalarType.Float64), options).cpu().data<double>().ToArray();
    }

    /// <summary>Differentiable MS-SSIM in the input dtype.</summary>
    /// <param name="x">[N, C, H, W] in [0, L]</param>
    /// <param name="y">same shape</param>
    /// <param name="options">window, constants, data range, scale weights</param>
    /// <returns>[N]</returns>
    public static Tensor Evaluate(Tensor x, Tensor y, SsimOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Ssim.RequireSameShape(x, y);
        int scales = options.MultiScaleWeights.Length;
        Ssim.RequireSize(x, options.WindowSize, scales);
        using var scope = torch.NewDisposeScope();
        var a = x;
        var b = y;
        Tensor? product = null;
        for (int j = 0; j < scales; j++)
        {
            var (ssim, cs) = Ssim.PerChannel(a, b, options);
            var term = (j == scales - 1 ? ssim : cs).ClampedMin(0).Power(options.MultiScaleWeights[j]); // [N, C]
            product = product is null ? term : product * term;
            if (j < scales - 1)
            {
                a = Downsample(a);
                b = Downsample(b);
            }
        }
        return product!.mean(new long[] { 1 }).MoveToOuterDisposeScope();
    }

    /// <summary>2×2 mean pooling; an odd trailing row/column becomes a cell of its own (mean of the pixels present).</summary>
    private static Tensor Downsample(Tensor t) =>
        nn.functional.avg_pool2d(t, new long[] { 2, 2 }, new long[] { 2, 2 }, ceil_mode: true, count_include_pad: false);

    /// <summary>Smallest image side the options allow.</summary>
    public static int MinimumSide(SsimOptions? options = null)
    {
        options ??= new SsimOptions();
        return (options.WindowSize - 1) * (1 << (options.MultiScaleWeights.Length - 1)) + 1;
    }
}
