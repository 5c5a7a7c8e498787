using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Avatar;

/// <summary>Unbound (world-space) Gaussians, as in plain 3DGS. Owns its parameters.</summary>
public sealed class FreeGaussianModel : IGaussianAvatar
{
    /// <summary>Wraps parameters (taking ownership).</summary>
    public FreeGaussianModel(GaussianParameters parameters)
    {
        Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        if (parameters.Binding is not null) throw new ArgumentException("Free Gaussians have no binding.", nameof(parameters));
    }

    /// <inheritdoc />
    public GaussianParameters Parameters { get; }

    /// <inheritdoc />
    public bool IsBound => false;

    /// <summary>
    /// Random initialisation inside an axis-aligned box: positions uniform, scales from the mean distance to the 3 nearest
    /// neighbours (as 3DGS), random colours, opacity 0.1.
    /// </summary>
    public static FreeGaussianModel RandomInBox(int count, double[] boxMin, double[] boxMax, int maxShDegree, torch.Generator generator, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        var lo = torch.tensor(boxMin, ScalarType.Float32);
        var hi = torch.tensor(boxMax, ScalarType.Float32);
        var pos = (torch.rand(new long[] { count, 3 }, generator: generator) * (hi - lo)).Plus(lo);
        var rgb = torch.rand(new long[] { count, 3 }, generator: generator);
        var scales = NearestNeighbourScale(pos).unsqueeze(1).expand(count, 3);
        var dev = device ?? torch.CPU;
        return new FreeGaussianModel(GaussianParameters.Initial(pos.to(dev), scales.to(dev), rgb.to(dev), maxShDegree));
    }

    /// <summary>sqrt of the mean squared distance to the 3 nearest other points, per point [N] (chunked).</summary>
    public static Tensor NearestNeighbourScale(Tensor points)
    {
        using var scope = torch.NewDisposeScope();
        long n = points.shape[0];
        int k = (int)Math.Min(3, Math.Max(1, n - 1));
        var result = torch.empty(n, points.dtype, points.device);
        const long chunk = 2048;
        for (long s = 0; s < n; s += chunk)
        {
            long len = Math.Min(chunk, n - s);
            var d2 = torch.cdist(points.narrow(0, s, len), points).Power(2);
            var self = HeldScalarOps.Arange(s, s + len, 1, ScalarType.Int64, points.device);
            d2.index_put_(torch.tensor(double.PositiveInfinity, points.dtype), HeldScalarOps.Arange(len, ScalarType.Int64, points.device), self);
            var nearest = d2.topk(k, 1, largest: false).values;
            result.narrow(0, s, len).copy_(nearest.mean(new long[] { 1 }).ClampedMin(1e-7).sqrt());
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public SplatGaussians Evaluate(FlameParameters? frame = null, Tensor? colors = null)
    {
        var p = Parameters;
        return new SplatGaussians
        {
            Means = p.Positions,
            Quaternions = p.Rotations,
            Scales = p.Scales(),
            Opacities = p.Opacities(),
            ShCoefficients = colors is null ? p.ShCoefficients() : null,
            ShDegree = p.ActiveShDegree,
            Colors = colors,
        };
    }

    /// <inheritdoc />
    public Tensor CanonicalWorldScales()
    {
        using var noGrad = torch.no_grad();
        return Parameters.Scales().detach();
    }

    /// <inheritdoc />
    public void Dispose() => Parameters.Dispose();
}
