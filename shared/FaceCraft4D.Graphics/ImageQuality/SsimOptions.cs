namespace FaceCraft4D.Graphics.ImageQuality;

/// <summary>
/// SSIM constants (Wang, Bovik, Sheikh, Simoncelli 2004, "Image quality assessment: from error visibility to
/// structural similarity"): Gaussian window 11×11 with σ = 1.5, K1 = 0.01, K2 = 0.03, data range L.
/// The evaluation binds them from configuration (<c>Metrics:Evaluation:Ssim</c>); the training losses use the defaults.
/// </summary>
public sealed class SsimOptions
{
    /// <summary>Gaussian window side (odd).</summary>
    public int WindowSize { get; set; } = 11;

    /// <summary>Gaussian window standard deviation in pixels.</summary>
    public double Sigma { get; set; } = 1.5;

    /// <summary>Luminance stabiliser: C1 = (K1·L)².</summary>
    public double K1 { get; set; } = 0.01;

    /// <summary>Contrast-structure stabiliser: C2 = (K2·L)².</summary>
    public double K2 { get; set; } = 0.03;

    /// <summary>L: 1 for images in [0, 1], 255 for 8-bit values.</summary>
    public double DataRange { get; set; } = 1.0;

    /// <summary>The five MS-SSIM scale weights of Wang, Simoncelli, Bovik 2003, finest first.</summary>
    public static IReadOnlyList<double> DefaultMultiScaleWeights { get; } = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

    /// <summary>MS-SSIM scale weights, finest first, coarsest last.</summary>
    public double[] MultiScaleWeights { get; set; } = [.. DefaultMultiScaleWeights];

    /// <summary>Throws <see cref="ArgumentException"/> for an even or non-positive window, σ ≤ 0, L ≤ 0 or no scale weights.</summary>
    public void Validate()
    {
        if (WindowSize < 1 || WindowSize % 2 == 0) throw new ArgumentException("SSIM WindowSize must be odd and positive.");
        if (Sigma <= 0) throw new ArgumentException("SSIM Sigma must be positive.");
        if (DataRange <= 0) throw new ArgumentException("SSIM DataRange must be positive.");
        if (MultiScaleWeights.Length == 0) throw new ArgumentException("MS-SSIM needs at least one scale weight.");
    }
}
