using FaceCraft4D.Graphics.ImageQuality;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Coin;

/// <summary>
/// The structural substitute for LPIPS (no pretrained weights): one minus the contrast-structure term of multi-scale SSIM
/// (Wang, Simoncelli and Bovik 2003), on the luminance and on each colour channel,
/// <code>
/// loss = sum_s w_s (1 - mean cs_s),   cs_s = (2 sigma_xy + C2) / (sigma_x^2 + sigma_y^2 + C2)   at scale s (2x average pooling per scale)
/// </code>
/// (the cs map of <see cref="Ssim"/>) with a Gaussian window (11 x 11, sigma 1.5, shrunk to the image at coarse scales), C2 = 0.03^2 and MS-SSIM's scale
/// weights (0.0448, 0.2856, 0.3001, 0.2363, 0.1333, renormalised over the scales that fit). Like LPIPS it compares local
/// structure and contrast across scales and ignores the mean colour of a neighbourhood (the luminance term of SSIM is
/// left out), so on the consistent render it supervises structure without pulling the consistent colours toward any one
/// view's colour cast. Scales stop when the image side would fall under the window (at least one scale).
/// </summary>
public sealed class StructuralPerceptualLoss : IPerceptualLoss
{
    /// <summary>The name recorded in results.</summary>
    public const string BackendName = "ms-structure";

    private static readonly IReadOnlyList<double> ScaleWeights = SsimOptions.DefaultMultiScaleWeights;

    // The Gaussian windows as cached band matrices (one bank per loss instance; the trainer calls it from one thread).
    private readonly GaussianFilterBank filters = new();
    private Tensor? channelMix;

    /// <summary>Creates the loss.</summary>
    /// <param name="maxScales">At most this many scales (1..5).</param>
    /// <param name="minSide">Coarsest image side used.</param>
    /// <param name="fused">CPU float32: each scale's cs term through the fused kernel (<see cref="Ssim.WeightedMapSum"/>); false = band-matrix GEMMs (the path before).</param>
    public StructuralPerceptualLoss(int maxScales = 5, int minSide = 8, bool fused = true)
    {
        Fused = fused;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxScales, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxScales, ScaleWeights.Count);
        MaxScales = maxScales;
        MinSide = Math.Max(4, minSide);
    }

    /// <summary>Most scales used.</summary>
    public int MaxScales { get; }

    /// <summary>Coarsest side.</summary>
    public int MinSide { get; }

    /// <summary>The fused SSIM kernel is used where it applies.</summary>
    public bool Fused { get; }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public Tensor Loss(Tensor rendered, Tensor target, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(rendered);
        ArgumentNullException.ThrowIfNull(target);
        if (rendered.ndim != 3 || rendered.shape[2] != 3 || !rendered.shape.SequenceEqual(target.shape))
            throw new ArgumentException("Expected two [H, W, 3] images of the same size.");
        using var scope = torch.NewDisposeScope();
        // [1, 4, H, W]: luminance (Rec. 601) and the three channels, as one product with a [4, 3] mixing matrix.
        var mix = ChannelMix(rendered.dtype, rendered.device);
        long height = rendered.shape[0], width = rendered.shape[1];
        Tensor Channels(Tensor img) => torch.matmul(mix, img.reshape(height * width, 3).t()).reshape(1, 4, height, width);
        var x = Channels(rendered);
        var t = Channels(target.detach());
        var m = mask?.detach().unsqueeze(0).unsqueeze(0);
        int scales = 1;
        long side = Math.Min(rendered.shape[0], rendered.shape[1]);
        while (scales < MaxScales && side / (1L << scales) >= MinSide) scales++;
        double weightSum = ScaleWeights.Take(scales).Sum();
        Tensor? total = null;
        for (int s = 0; s < scales; s++)
        {
            if (s > 0)
            {
                x = torch.nn.functional.avg_pool2d(x, 2, 2);
                t = torch.nn.functional.avg_pool2d(t, 2, 2);
                if (m is not null) m = torch.nn.functional.avg_pool2d(m, 2, 2);
            }
            var cs = ContrastStructure(x, t, m, filters, Fused);
            var term = cs.SubtractedFrom(1).Times(ScaleWeights[s] / weightSum);
            total = total is null ? term : total.Plus(term);
        }
        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>Rows: Rec. 601 luminance, then R, G, B [4, 3] (built once per dtype and device).</summary>
    private Tensor ChannelMix(ScalarType dtype, Device device)
    {
        if (channelMix is null || channelMix.dtype != dtype || channelMix.device.ToString() != device.ToString())
        {
            channelMix?.Dispose();
            channelMix = torch.tensor(new double[] { 0.299, 0.587, 0.114, 1, 0, 0, 0, 1, 0, 0, 0, 1 }, [4, 3], ScalarType.Float64).to(dtype, device).DetachFromDisposeScope();
        }
        return channelMix;
    }

    /// <summary>Mean contrast-structure term (<see cref="Ssim.Maps"/>, zero padding) of [1, C, H, W] images (masked mean when a [1, 1, H, W] weight is given).</summary>
    private static Tensor ContrastStructure(Tensor x, Tensor y, Tensor? mask, GaussianFilterBank filters, bool fused)
    {
        long c = x.shape[1];
        int size = (int)Math.Min(11, Math.Min(x.shape[2], x.shape[3]));
        if (size % 2 == 0) size--;
        var options = new SsimOptions { WindowSize = size, Sigma = 1.5 * size / 11.0, K2 = 0.03, DataRange = 1 };
        if (fused) return Ssim.WeightedMapSum(x, y, mask is null ? null : mask / mask.sum().Times(c).ClampedMin(1e-6), options, contrastOnly: true, filters);
        var (_, map) = Ssim.Maps(x, y, options, SsimPadding.Zero, filters); // [1, C, H, W]
        if (mask is null) return map.mean();
        return (map * mask).sum() / mask.sum().Times(c).ClampedMin(1e-6);
    }
}
