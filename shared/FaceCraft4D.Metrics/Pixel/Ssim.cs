using FaceCraft4D.Metrics.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Pixel;

/// <summary>
/// Structural similarity (Wang et al. 2004). Local statistics with a normalised Gaussian window applied
/// separably as a 'valid' filter (no padding; the reference MATLAB <c>ssim_index.m</c> does the same), per channel;
/// the SSIM map is averaged per channel and the channel means are averaged. Computed in float64. No automatic
/// downsampling is applied (the later MATLAB <c>ssim.m</c> downsamples large images; callers can resize).
/// </summary>
public static class Ssim
{
    public const string Model = "reference:ssim-gaussian11-sigma1.5";

    /// <param name="x">[N, 3, H, W] in [0, L]; H and W at least the window size.</param>
    /// <param name="y">same shape</param>
    /// <returns>per-image SSIM, length N</returns>
    public static double[] Compute(Tensor x, Tensor y, SsimOptions? options = null)
    {
        options ??= new SsimOptions();
        options.Validate();
        MetricImage.RequireSameShape(x, y);
        RequireSize(x, options.WindowSize, 1);
        using var scope = torch.NewDisposeScope();
        var (ssim, _) = PerChannel(x.to(ScalarType.Float64), y.to(ScalarType.Float64), options);
        return ssim.mean(new long[] { 1 }).cpu().data<double>().ToArray();
    }

    /// <summary>
    /// Per-channel SSIM and contrast-structure (cs) means, both [N, C] float64 (used by MS-SSIM).
    /// </summary>
    internal static (Tensor Ssim, Tensor Cs) PerChannel(Tensor x, Tensor y, SsimOptions options)
    {
        double c1 = Math.Pow(options.K1 * options.DataRange, 2), c2 = Math.Pow(options.K2 * options.DataRange, 2);
        long channels = x.shape[1];
        using var g = GaussianWindow.Create(options.WindowSize, options.Sigma, x.device); // [win] float64
        using var gx = g.reshape(1, 1, 1, -1).expand(channels, 1, 1, options.WindowSize).contiguous(); // [C, 1, 1, win]
        using var gy = g.reshape(1, 1, -1, 1).expand(channels, 1, options.WindowSize, 1).contiguous(); // [C, 1, win, 1]
        Tensor Filter(Tensor t)
        {
            using var h = nn.functional.conv2d(t, gx, groups: channels);
            return nn.functional.conv2d(h, gy, groups: channels);
        }

        var muX = Filter(x);
        var muY = Filter(y);
        var muXX = muX * muX;
        var muYY = muY * muY;
        var muXY = muX * muY;
        var sXX = Filter(x * x) - muXX;
        var sYY = Filter(y * y) - muYY;
        var sXY = Filter(x * y) - muXY;
        var csMap = (2 * sXY + c2) / (sXX + sYY + c2);
        var ssimMap = (2 * muXY + c1) / (muXX + muYY + c1) * csMap;
        return (ssimMap.mean(new long[] { 2, 3 }), csMap.mean(new long[] { 2, 3 }));
    }

    internal static void RequireSize(Tensor x, int window, int scales)
    {
        long minSide = Math.Min(x.shape[2], x.shape[3]);
        long needed = (long)(window - 1) * (1L << (scales - 1)) + 1;
        if (minSide < needed)
            throw new ArgumentException(scales == 1
                ? $"SSIM needs images of at least {needed} x {needed} pixels (window {window}); got {x.shape[3]} x {x.shape[2]}."
                : $"MS-SSIM with {scales} scales needs images of at least {needed} x {needed} pixels; got {x.shape[3]} x {x.shape[2]}.");
    }
}
