using FaceCraft4D.Metrics.Fid;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Fid;

public class FrechetDistanceTests
{
    private static Tensor T(params double[] v) => torch.tensor(v, ScalarType.Float64);

    private static Tensor M(int n, params double[] v) => torch.tensor(v, new long[] { n, n }, ScalarType.Float64);

    [Fact]
    public void IdenticalFeatureSets_AreZero()
    {
        using var g = new Generator(3, CPU);
        using var f = torch.randn(new long[] { 300, 32 }, ScalarType.Float32, CPU, generator: g);
        using var a = FeatureStatistics.FromFeatures(f);
        using var b = FeatureStatistics.FromFeatures(f);
        Assert.Equal(0.0, FrechetDistance.Compute(a, b), 9);
    }

    [Fact]
    public void OneDimensional_IsMeanGapSquaredPlusStdGapSquared()
    {
        // N(1, 4) vs N(3, 9): (1 − 3)² + (2 − 3)² = 5
        using var mu1 = T(1); using var s1 = M(1, 4);
        using var mu2 = T(3); using var s2 = M(1, 9);
        Assert.Equal(5.0, FrechetDistance.Compute(mu1, s1, mu2, s2), 12);
    }

    [Fact]
    public void TwoDimensionalDiagonal_IsSumOfRootGapsSquared()
    {
        using var mu1 = T(0, 1); using var s1 = M(2, 1, 0, 0, 4);
        using var mu2 = T(2, 1); using var s2 = M(2, 9, 0, 0, 0.25);
        double expected = 4 + Math.Pow(1 - 3, 2) + Math.Pow(2 - 0.5, 2);
        Assert.Equal(expected, FrechetDistance.Compute(mu1, s1, mu2, s2), 12);
    }

    [Fact]
    public void TwoDimensionalNonCommuting_MatchesTheClosedForm2x2Root()
    {
        // For 2×2 M = Σ1Σ2 with eigenvalues λ1, λ2 ≥ 0: Tr √M = √λ1 + √λ2 = √(Tr M + 2√det M).
        double[] a = [2.0, 0.8, 0.8, 1.0], b = [0.5, -0.3, -0.3, 1.5];
        double tr = a[0] * b[0] + a[1] * b[2] + a[2] * b[1] + a[3] * b[3];
        double det = (a[0] * a[3] - a[1] * a[2]) * (b[0] * b[3] - b[1] * b[2]);
        double traceRoot = Math.Sqrt(tr + 2 * Math.Sqrt(det));
        using var s1 = M(2, a); using var s2 = M(2, b);
        Assert.Equal(traceRoot, SymmetricMatrix.TraceSqrtOfProduct(s1, s2), 12);
        using var mu1 = T(0.5, -1); using var mu2 = T(0, 0);
        double expected = 0.25 + 1 + (a[0] + a[3]) + (b[0] + b[3]) - 2 * traceRoot;
        Assert.Equal(expected, FrechetDistance.Compute(mu1, s1, mu2, s2), 12);
    }

    [Fact]
    public void SquareRoot_SquaresBack_AndSurvivesSingularCovariances()
    {
        using var g = new Generator(5, CPU);
        // 6 samples in 40 dimensions: rank-5 covariances, the case where iterative sqrtm goes complex or fails.
        using var fa = torch.randn(new long[] { 6, 40 }, ScalarType.Float64, CPU, generator: g);
        using var fb = torch.randn(new long[] { 6, 40 }, ScalarType.Float64, CPU, generator: g).Times(1.5).Plus(0.3);
        using var a = FeatureStatistics.FromFeatures(fa);
        using var b = FeatureStatistics.FromFeatures(fb);
        using var root = SymmetricMatrix.Sqrt(a.Covariance);
        using var squared = root.matmul(root);
        Assert.True(squared.allclose(a.Covariance, rtol: 1e-9, atol: 1e-9));

        // independent check: eigenvalues of the non-symmetric product Σa·Σb (real, ≥ 0 up to rounding). Its 35 zero
        // eigenvalues come back as ±1e-13 noise whose square roots add ~1e-6, hence the tolerance.
        using var eig = torch.linalg.eigvals(a.Covariance.matmul(b.Covariance));
        double expectedTrace = eig.real.ClampedMin(0).sqrt().sum().item<double>();
        Assert.Equal(expectedTrace, SymmetricMatrix.TraceSqrtOfProduct(a.Covariance, b.Covariance), 1e-5);
        double fid = FrechetDistance.Compute(a, b);
        Assert.True(double.IsFinite(fid) && fid > 0);
    }

    [Fact]
    public void Statistics_UseTheUnbiasedCovariance()
    {
        using var f = torch.tensor(new float[] { 1, 2, 3, 6, 5, 10 }, new long[] { 3, 2 });
        using var s = FeatureStatistics.FromFeatures(f);
        // numpy.cov([[1,3,5],[2,6,10]]) = [[4, 8], [8, 16]]
        Assert.Equal(new[] { 3.0, 6.0 }, s.Mean.data<double>().ToArray());
        Assert.Equal(new[] { 4.0, 8.0, 8.0, 16.0 }, s.Covariance.data<double>().ToArray());
        Assert.Throws<ArgumentException>(() => FeatureStatistics.FromFeatures(torch.zeros(1, 4)));
    }
}
