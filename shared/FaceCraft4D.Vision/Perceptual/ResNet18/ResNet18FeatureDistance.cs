using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>
/// An LPIPS-style distance on the ImageNet ResNet-18 trunk without learned heads (LPIPS's <c>lpips=False</c> variant):
/// per tap k, unit-normalise each position's channel vector (f / (|f|₂ + 1e-10)), take the squared difference summed over
/// channels, average it over positions (weighted by the mask, average-pooled to the tap's size, when one is given), and
/// average over the taps used. Each tap term lies in [0, 4]. The trunk is frozen; gradients flow to the first image only
/// (the second is detached).
/// </summary>
public sealed class ResNet18FeatureDistance : IDisposable
{
    private readonly ResNet18Trunk trunk;

    /// <summary>Wraps a loaded trunk (taking ownership), moves it to <paramref name="device"/> and freezes it.</summary>
    /// <param name="depth">Taps used, shallow first (1..5; 5 = relu1, layer1..layer4).</param>
    public ResNet18FeatureDistance(ResNet18Trunk trunk, Device device, int depth = 5)
    {
        this.trunk = trunk ?? throw new ArgumentNullException(nameof(trunk));
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, ResNet18Trunk.TapNames.Count);
        Depth = depth;
        trunk.to(device).eval();
        foreach (var p in trunk.parameters()) p.requires_grad_(false);
    }

    /// <summary>Number of taps compared.</summary>
    public int Depth { get; }

    /// <summary>
    /// Distance of <paramref name="x"/> to <paramref name="y"/>, both RGB [N, 3, H, W] in [0, 1]; <paramref name="mask"/>
    /// optional [N, 1, H, W] weights. Returns [N] per image and the per-tap terms [N] each.
    /// </summary>
    public (Tensor Distance, Tensor[] Taps) Compare(Tensor x, Tensor y, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.ndim != 4 || x.shape[1] != 3 || !x.shape.SequenceEqual(y.shape))
            throw new ArgumentException("Expected two RGB batches [N, 3, H, W] of the same size.");
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0];
        var both = torch.cat([ResNet18Input.FromUnitRgb(x), ResNet18Input.FromUnitRgb(y.detach())], 0);
        var units = trunk.Forward(both, Depth).Select(Unit).ToArray();
        var result = Terms(units.Select(u => u.narrow(0, 0, n)).ToArray(), units.Select(u => u.narrow(0, n, n).detach()).ToArray(), mask);
        return Outer(result);
    }

    /// <summary>
    /// The unit-normalised taps of a fixed image <paramref name="y"/> [N, 3, H, W] in [0, 1], without gradients: compute them
    /// once and compare many renders against them (<see cref="Compare(Tensor, IReadOnlyList{Tensor}, Tensor?)"/>); the
    /// result equals <see cref="Compare(Tensor, Tensor, Tensor?)"/> up to float rounding. The caller owns the tensors.
    /// </summary>
    public Tensor[] TargetFeatures(Tensor y)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.ndim != 4 || y.shape[1] != 3) throw new ArgumentException("Expected an RGB batch [N, 3, H, W].");
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var units = trunk.Forward(ResNet18Input.FromUnitRgb(y.detach()), Depth).Select(Unit).ToArray();
        foreach (var u in units) u.MoveToOuterDisposeScope();
        return units;
    }

    /// <summary>
    /// Distance of <paramref name="x"/> [N, 3, H, W] to an image whose taps <see cref="TargetFeatures"/> computed (same size);
    /// only <paramref name="x"/> goes through the trunk, forward and backward.
    /// </summary>
    public (Tensor Distance, Tensor[] Taps) Compare(Tensor x, IReadOnlyList<Tensor> targetFeatures, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(targetFeatures);
        if (x.ndim != 4 || x.shape[1] != 3) throw new ArgumentException("Expected an RGB batch [N, 3, H, W].");
        if (targetFeatures.Count != Depth) throw new ArgumentException($"Expected {Depth} target taps, got {targetFeatures.Count}.", nameof(targetFeatures));
        using var scope = torch.NewDisposeScope();
        var units = trunk.Forward(ResNet18Input.FromUnitRgb(x), Depth).Select(Unit).ToArray();
        for (int k = 0; k < Depth; k++)
            if (!units[k].shape.SequenceEqual(targetFeatures[k].shape))
                throw new ArgumentException($"The target taps were computed for another image size (tap {k}: [{string.Join(", ", targetFeatures[k].shape)}], render [{string.Join(", ", units[k].shape)}]).", nameof(targetFeatures));
        return Outer(Terms(units, targetFeatures, mask));
    }

    private static Tensor Unit(Tensor f) => f / f.Power(2).sum(1, keepdim: true).sqrt().Plus(1e-10);

    /// <summary>Per-tap terms [N] and their mean, for unit taps a (with gradients) and b (fixed).</summary>
    private (Tensor Distance, Tensor[] Taps) Terms(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b, Tensor? mask)
    {
        var terms = new Tensor[Depth];
        Tensor? total = null;
        for (int k = 0; k < Depth; k++)
        {
            var d = (a[k] - b[k].detach()).Power(2).sum(1, keepdim: true); // [N, 1, h, w]
            Tensor term;
            if (mask is null)
            {
                term = d.mean([1, 2, 3]);
            }
            else
            {
                var m = nn.functional.adaptive_avg_pool2d(mask.detach(), [d.shape[2], d.shape[3]]);
                term = (d * m).sum([1, 2, 3]) / m.sum([1, 2, 3]).ClampedMin(1e-6);
            }
            terms[k] = term;
            total = total is null ? term : total.Plus(term);
        }
        return (total!.DividedBy(Depth), terms);
    }

    private static (Tensor Distance, Tensor[] Taps) Outer((Tensor Distance, Tensor[] Taps) r)
    {
        r.Distance.MoveToOuterDisposeScope();
        foreach (var t in r.Taps) t.MoveToOuterDisposeScope();
        return r;
    }

    /// <summary>Just the distance [N].</summary>
    public Tensor Distance(Tensor x, Tensor y, Tensor? mask = null)
    {
        var (d, taps) = Compare(x, y, mask);
        foreach (var t in taps) t.Dispose();
        return d;
    }

    /// <inheritdoc />
    public void Dispose() => trunk.Dispose();
}
