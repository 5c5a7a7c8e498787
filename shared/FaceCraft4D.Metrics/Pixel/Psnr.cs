using FaceCraft4D.Metrics.Images;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Pixel;

/// <summary>
/// Peak signal-to-noise ratio, 10·log10(L² / MSE) with the MSE over all channels and pixels of each image.
/// Identical images give +∞. Computed in float64.
/// </summary>
public static class Psnr
{
    public const string Model = "reference:psnr";

    /// <param name="x">[N, 3, H, W] in [0, <paramref name="dataRange"/>]</param>
    /// <param name="y">same shape as <paramref name="x"/></param>
    /// <param name="dataRange">L, the value range (1 for images in [0, 1]).</param>
    /// <returns>per-image PSNR in dB, length N</returns>
    public static double[] Compute(Tensor x, Tensor y, double dataRange = 1.0)
    {
        MetricImage.RequireSameShape(x, y);
        using var scope = torch.NewDisposeScope();
        var d = x.to(ScalarType.Float64) - y.to(ScalarType.Float64);
        var mse = d.Power(2).mean(new long[] { 1, 2, 3 }).cpu().data<double>().ToArray(); // [N]
        return mse.Select(m => m == 0 ? double.PositiveInfinity : 10.0 * Math.Log10(dataRange * dataRange / m)).ToArray();
    }
}
