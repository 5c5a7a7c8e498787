using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.ImageQuality;

/// <summary>The normalised 1-D Gaussian g[i] ∝ exp(−(i − c)² / 2σ²), c = (n − 1) / 2; the 2-D window is g ⊗ g.</summary>
public static class GaussianWindow
{
    /// <returns>[size], sums to 1 (computed in float64, then stored as <paramref name="dtype"/>)</returns>
    public static Tensor Create(int size, double sigma, Device? device = null, ScalarType dtype = ScalarType.Float64)
    {
        var w = new double[size];
        double c = (size - 1) / 2.0, total = 0;
        for (int i = 0; i < size; i++) total += w[i] = Math.Exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        for (int i = 0; i < size; i++) w[i] /= total;
        return torch.tensor(w, dtype, device);
    }
}
