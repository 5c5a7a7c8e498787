using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Fid;

/// <summary>
/// Mean μ [D] and covariance Σ [D, D] (unbiased, divisor N − 1, as <c>numpy.cov(rowvar=False)</c> in pytorch-fid)
/// of a feature set, float64 on the features' device. Needs at least two samples.
/// </summary>
public sealed class FeatureStatistics : IDisposable
{
    private FeatureStatistics(Tensor mean, Tensor covariance, int count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    /// <summary>μ [D] float64.</summary>
    public Tensor Mean { get; }

    /// <summary>Σ [D, D] float64.</summary>
    public Tensor Covariance { get; }

    /// <summary>Number of samples N.</summary>
    public int Count { get; }

    /// <param name="features">[N, D], N ≥ 2</param>
    public static FeatureStatistics FromFeatures(Tensor features)
    {
        if (features.dim() != 2) throw new ArgumentException($"features must be [N, D], got [{string.Join(", ", features.shape)}]", nameof(features));
        if (features.shape[0] < 2) throw new ArgumentException($"a covariance needs at least 2 samples, got {features.shape[0]}", nameof(features));
        using var scope = torch.NewDisposeScope();
        var f = features.to(ScalarType.Float64);
        var mean = f.mean(new long[] { 0 });
        var centred = f - mean;
        var cov = centred.mT.matmul(centred).DividedBy(f.shape[0] - 1);
        return new FeatureStatistics(mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope(), (int)f.shape[0]);
    }

    /// <summary>Builds from jagged rows (e.g. features stored in metrics.json).</summary>
    public static FeatureStatistics FromRows(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no feature rows", nameof(rows));
        int d = rows[0].Length;
        var flat = new float[rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d) throw new ArgumentException("feature rows differ in length", nameof(rows));
            Array.Copy(rows[i], 0, flat, i * d, d);
        }
        using var t = torch.tensor(flat, new long[] { rows.Count, d });
        return FromFeatures(t);
    }

    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}
