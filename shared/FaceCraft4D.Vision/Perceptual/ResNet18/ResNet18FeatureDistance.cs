using TorchSharp;
using static TorchSharp.torch;

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
        var taps = trunk.Forward(both, Depth);
        var terms = new Tensor[Depth];
        Tensor? total = null;
        for (int k = 0; k < Depth; k++)
        {
            var f = taps[k];
            var unit = f / (f.pow(2).sum(1, keepdim: true).sqrt() + 1e-10);
            var a = unit.narrow(0, 0, n);
            var b = unit.narrow(0, n, n).detach();
            var d = (a - b).pow(2).sum(1, keepdim: true); // [N, 1, h, w]
            Tensor term;
            if (mask is null)
            {
                term = d.mean([1, 2, 3]);
            }
            else
            {
                var m = nn.functional.adaptive_avg_pool2d(mask.detach(), [d.shape[2], d.shape[3]]);
                term = (d * m).sum([1, 2, 3]) / m.sum([1, 2, 3]).clamp_min(1e-6);
            }
            terms[k] = term;
            total = total is null ? term : total + term;
        }
        var distance = (total! / Depth).MoveToOuterDisposeScope();
        foreach (var t in terms) t.MoveToOuterDisposeScope();
        return (distance, terms);
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
