using FaceCraft4D.Weights;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Avatar;

/// <summary>
/// The trainable attributes of N Gaussians (leaf tensors with gradients, 3DGS storage conventions) plus, for Gaussians
/// bound to a mesh, the parent triangle of each Gaussian. For bound Gaussians positions, rotations and scales are local
/// to the parent triangle's frame (see <see cref="FlameGaussianAvatar"/>); for free Gaussians they are world-space.
/// Owns its tensors.
/// </summary>
public sealed class GaussianParameters : IDisposable
{
    /// <summary>Positions [N, 3].</summary>
    public const string PositionsName = "xyz";
    /// <summary>Log scales [N, 3].</summary>
    public const string LogScalesName = "scaling";
    /// <summary>Unnormalised quaternions (w, x, y, z) [N, 4].</summary>
    public const string RotationsName = "rotation";
    /// <summary>Opacity logits [N].</summary>
    public const string OpacityLogitsName = "opacity";
    /// <summary>SH DC coefficients [N, 1, 3].</summary>
    public const string ShDcName = "f_dc";
    /// <summary>Higher SH coefficients [N, (MaxShDegree+1)^2 - 1, 3].</summary>
    public const string ShRestName = "f_rest";
    /// <summary>Parent triangle per Gaussian [N] (int64), bound models only.</summary>
    public const string BindingName = "binding";

    /// <summary>The trainable tensors in a fixed order.</summary>
    public static IReadOnlyList<string> TrainableNames { get; } = new[] { PositionsName, LogScalesName, RotationsName, OpacityLogitsName, ShDcName, ShRestName };

    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>Creates the set from tensors (copied, detached and made leaves).</summary>
    public GaussianParameters(Tensor positions, Tensor logScales, Tensor rotations, Tensor opacityLogits, Tensor shDc, Tensor shRest, int maxShDegree, Tensor? binding = null)
    {
        if (maxShDegree < 0 || maxShDegree > SphericalHarmonics.MaxDegree) throw new ArgumentOutOfRangeException(nameof(maxShDegree));
        long n = positions.shape[0];
        Check(positions, n, 3, "positions"); Check(logScales, n, 3, "log scales"); Check(rotations, n, 4, "rotations");
        if (opacityLogits.shape.Length != 1 || opacityLogits.shape[0] != n) throw new ArgumentException("opacity logits must be [N].");
        if (shDc.ndim != 3 || shDc.shape[0] != n || shDc.shape[1] != 1 || shDc.shape[2] != 3) throw new ArgumentException("f_dc must be [N, 1, 3].");
        long rest = SphericalHarmonics.CoefficientCount(maxShDegree) - 1;
        if (shRest.ndim != 3 || shRest.shape[0] != n || shRest.shape[1] != rest || shRest.shape[2] != 3) throw new ArgumentException($"f_rest must be [N, {rest}, 3].");
        MaxShDegree = maxShDegree;
        Set(PositionsName, positions); Set(LogScalesName, logScales); Set(RotationsName, rotations);
        Set(OpacityLogitsName, opacityLogits); Set(ShDcName, shDc); Set(ShRestName, shRest);
        if (binding is not null)
        {
            if (binding.ndim != 1 || binding.shape[0] != n) throw new ArgumentException("binding must be [N].");
            Binding = binding.to_type(ScalarType.Int64).detach().clone().DetachFromDisposeScope();
        }
    }

    private static void Check(Tensor t, long n, long c, string what)
    {
        if (t.ndim != 2 || t.shape[0] != n || t.shape[1] != c) throw new ArgumentException($"{what} must be [N, {c}].");
    }

    private void Set(string name, Tensor value)
    {
        if (_tensors.TryGetValue(name, out var old)) old.Dispose();
        _tensors[name] = value.detach().clone().requires_grad_(true).DetachFromDisposeScope();
    }

    /// <summary>Parent triangle of each Gaussian [N] (int64); null for free Gaussians.</summary>
    public Tensor? Binding { get; private set; }

    /// <summary>Highest SH degree stored.</summary>
    public int MaxShDegree { get; }

    /// <summary>SH degree used for rendering (3DGS raises it every 1000 iterations up to <see cref="MaxShDegree"/>).</summary>
    public int ActiveShDegree { get; set; }

    /// <summary>Number of Gaussians N.</summary>
    public long Count => _tensors[PositionsName].shape[0];

    /// <summary>Device of the tensors.</summary>
    public Device Device => _tensors[PositionsName].device;

    /// <summary>Gets a trainable tensor by name (see the *Name constants).</summary>
    public Tensor this[string name] => _tensors[name];

    /// <summary>Positions [N, 3] (local or world).</summary>
    public Tensor Positions => _tensors[PositionsName];

    /// <summary>Log scales [N, 3].</summary>
    public Tensor LogScales => _tensors[LogScalesName];

    /// <summary>Raw quaternions [N, 4].</summary>
    public Tensor Rotations => _tensors[RotationsName];

    /// <summary>Opacity logits [N].</summary>
    public Tensor OpacityLogits => _tensors[OpacityLogitsName];

    /// <summary>SH DC [N, 1, 3].</summary>
    public Tensor ShDc => _tensors[ShDcName];

    /// <summary>SH rest [N, K-1, 3].</summary>
    public Tensor ShRest => _tensors[ShRestName];

    /// <summary>Linear scales exp(log scales) [N, 3].</summary>
    public Tensor Scales() => LogScales.exp();

    /// <summary>Opacities sigmoid(logits) [N].</summary>
    public Tensor Opacities() => torch.sigmoid(OpacityLogits);

    /// <summary>Unit quaternions [N, 4].</summary>
    public Tensor UnitRotations() => torch.nn.functional.normalize(Rotations, p: 2, dim: 1);

    /// <summary>All SH coefficients [N, K, 3].</summary>
    public Tensor ShCoefficients() => torch.cat(new[] { ShDc, ShRest }, 1);

    /// <summary>
    /// Replaces a trainable tensor by a new leaf (used by densification and checkpoint restore; the caller keeps the
    /// optimizer in sync).
    /// </summary>
    public void Replace(string name, Tensor value)
    {
        if (!_tensors.ContainsKey(name)) throw new KeyNotFoundException(name);
        Set(name, value);
    }

    /// <summary>Replaces the binding (bound models only).</summary>
    public void ReplaceBinding(Tensor? binding)
    {
        Binding?.Dispose();
        Binding = binding?.to_type(ScalarType.Int64).detach().clone().DetachFromDisposeScope();
    }

    /// <summary>Initial parameters (3DGS conventions): log scales, identity rotations, opacity logit of <paramref name="opacity"/>, DC from RGB.</summary>
    /// <param name="positions">[N, 3].</param>
    /// <param name="scales">Linear scales [N, 3] or [N, 1].</param>
    /// <param name="rgb">Colours [N, 3] in [0, 1].</param>
    /// <param name="maxShDegree">Highest SH degree.</param>
    /// <param name="opacity">Initial opacity (3DGS: 0.1).</param>
    /// <param name="binding">Parent triangles for bound models.</param>
    public static GaussianParameters Initial(Tensor positions, Tensor scales, Tensor rgb, int maxShDegree, double opacity = 0.1, Tensor? binding = null)
    {
        using var scope = torch.NewDisposeScope();
        long n = positions.shape[0];
        var dev = positions.device;
        var dtype = positions.dtype;
        var logScales = scales.expand(n, 3).ClampedMin(1e-9).log();
        var rot = torch.zeros(new long[] { n, 4 }, dtype, dev);
        rot.select(1, 0).FilledWith(1.0);
        var op = HeldScalarOps.Full(new long[] { n }, Math.Log(opacity / (1 - opacity)), dtype, dev);
        var dc = SphericalHarmonics.RgbToDc(rgb.to(dtype, dev)).unsqueeze(1);
        var rest = torch.zeros(new long[] { n, SphericalHarmonics.CoefficientCount(maxShDegree) - 1, 3 }, dtype, dev);
        return new GaussianParameters(positions, logScales, rot, op, dc, rest, maxShDegree, binding);
    }

    /// <summary>Adds every tensor (and the binding) to a safetensors file under <paramref name="prefix"/>.</summary>
    public void WriteTo(InMemorySafeTensors file, string prefix = "")
    {
        foreach (var name in TrainableNames) file.Add(prefix + name, _tensors[name]);
        if (Binding is not null) file.Add(prefix + BindingName, Binding);
        file.Metadata[prefix + "max_sh_degree"] = MaxShDegree.ToString(System.Globalization.CultureInfo.InvariantCulture);
        file.Metadata[prefix + "active_sh_degree"] = ActiveShDegree.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a set written by <see cref="WriteTo"/>.</summary>
    public static GaussianParameters ReadFrom(InMemorySafeTensors file, string prefix = "", Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = torch.NewDisposeScope();
        int maxDeg = int.Parse(file.Metadata[prefix + "max_sh_degree"], System.Globalization.CultureInfo.InvariantCulture);
        Tensor T(string n) => file.GetTorch(prefix + n, device, dtype);
        var p = new GaussianParameters(T(PositionsName), T(LogScalesName), T(RotationsName), T(OpacityLogitsName), T(ShDcName), T(ShRestName), maxDeg,
            file.Contains(prefix + BindingName) ? file.GetTorch(prefix + BindingName, device, ScalarType.Int64) : null);
        if (file.Metadata.TryGetValue(prefix + "active_sh_degree", out var a)) p.ActiveShDegree = int.Parse(a, System.Globalization.CultureInfo.InvariantCulture);
        return p;
    }

    /// <summary>Disposes all tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
        Binding?.Dispose();
    }
}
