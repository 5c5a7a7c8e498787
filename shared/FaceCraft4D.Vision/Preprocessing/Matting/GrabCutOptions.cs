namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Tunables of GrabCut (defaults from Rother et al. 2004 and OpenCV's implementation).</summary>
public sealed class GrabCutOptions
{
    /// <summary>Gaussian components per colour model.</summary>
    public int Components { get; set; } = 5;
    /// <summary>Re-estimation rounds (GMM fit + graph cut).</summary>
    public int Iterations { get; set; } = 5;
    /// <summary>Smoothness weight gamma of the contrast-sensitive Potts term.</summary>
    public double Gamma { get; set; } = 50.0;
    /// <summary>Seed of the k-means initialisation (results are deterministic).</summary>
    public int Seed { get; set; } = 12345;
}
