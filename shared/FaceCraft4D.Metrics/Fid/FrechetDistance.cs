using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Fid;

/// <summary>
/// Fréchet distance between two Gaussians (Dowson &amp; Landau 1982; the FID of Heusel et al. 2017):
/// d² = ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr √(Σ₁Σ₂), with the trace term from
/// <see cref="SymmetricMatrix.TraceSqrtOfProduct"/>. Rounding can leave a value a hair below zero for identical
/// statistics; it is clamped to 0. Like pytorch-fid, the squared distance is reported.
/// </summary>
public static class FrechetDistance
{
    public static double Compute(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        if (!mu1.shape.SequenceEqual(mu2.shape) || !sigma1.shape.SequenceEqual(sigma2.shape))
            throw new ArgumentException("the two statistics differ in dimension");
        using var scope = torch.NewDisposeScope();
        var diff = mu1.to(ScalarType.Float64) - mu2.to(ScalarType.Float64);
        double meanTerm = diff.dot(diff).cpu().item<double>();
        double traces = sigma1.to(ScalarType.Float64).trace().cpu().item<double>() + sigma2.to(ScalarType.Float64).trace().cpu().item<double>();
        double cross = SymmetricMatrix.TraceSqrtOfProduct(sigma1, sigma2);
        return Math.Max(0, meanTerm + traces - 2 * cross);
    }

    public static double Compute(FeatureStatistics a, FeatureStatistics b) => Compute(a.Mean, a.Covariance, b.Mean, b.Covariance);
}
