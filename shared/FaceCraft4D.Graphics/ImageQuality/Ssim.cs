using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Graphics.ImageQuality;

/// <summary>
/// Structural similarity (Wang et al. 2004), the one implementation: local statistics with a normalised Gaussian window
/// applied separably per channel, either as a 'valid' filter (no padding; the reference MATLAB <c>ssim_index.m</c>, used by
/// the evaluation metric) or with zero padding (the 3DGS training loss). Pure tensor operations, so differentiable, in
/// the dtype and on the device of the input. <see cref="Compute"/> is the evaluation metric: valid filtering in
/// float64, the SSIM map averaged per channel and the channel means averaged; no automatic downsampling (the later
/// MATLAB <c>ssim.m</c> downsamples large images; callers can resize). MS-SSIM: <see cref="MultiScaleSsim"/>.
/// </summary>
public static class Ssim
{
    /// <summary>The backend name the evaluation records for this metric.</summary>
    public const string Model = "reference:ssim-gaussian11-sigma1.5";

    /// <summary>The evaluation metric: per-image SSIM with valid filtering, in float64.</summary>
    /// <param name="x">[N, C, H, W] in [0, L]; H and W at least the window size.</param>
    /// <param name="y">same shape</param>
    /// <param name="options">window, constants, data range (default: the paper's)</param>
    /// <returns>per-image SSIM, length N (float64)</returns>
    public static double[] Compute(Tensor x, Tensor y, SsimOptions? options = null)
    {
        options ??= new SsimOptions();
        options.Validate();
        RequireSameShape(x, y);
        RequireSize(x, options.WindowSize, 1);
        using var scope = torch.NewDisposeScope();
        var (ssim, _) = PerChannel(x.to(ScalarType.Float64), y.to(ScalarType.Float64), options);
        return ssim.mean(new long[] { 1 }).cpu().data<double>().ToArray();
    }

    /// <summary>
    /// Per-channel means of the SSIM and contrast-structure (cs) maps with valid filtering, both [N, C] in the input
    /// dtype (used by <see cref="Compute"/> and MS-SSIM).
    /// </summary>
    public static (Tensor Ssim, Tensor Cs) PerChannel(Tensor x, Tensor y, SsimOptions options)
    {
        using var scope = torch.NewDisposeScope();
        var (ssimMap, csMap) = Maps(x, y, options, SsimPadding.Valid);
        return (ssimMap.mean(new long[] { 2, 3 }).MoveToOuterDisposeScope(), csMap.mean(new long[] { 2, 3 }).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The SSIM map and the contrast-structure map cs = (2σxy + C2) / (σx² + σy² + C2), with C1 = (K1·L)², C2 = (K2·L)²
    /// and SSIM = (2μxμy + C1) / (μx² + μy² + C1) · cs. Differentiable.
    /// </summary>
    /// <param name="x">[N, C, H, W]</param>
    /// <param name="y">same shape</param>
    /// <param name="options">window, constants, data range</param>
    /// <param name="padding">valid filtering or zero padding at the border</param>
    /// <param name="filters">
    /// null: grouped convolutions, one per moment; a bank: the five moments (x, y, x², y², xy) stacked and filtered by two
    /// cached band-matrix products (<see cref="GaussianFilterBank"/>; same sums in another order, much faster for training).
    /// </param>
    /// <returns>both [N, C, H − win + 1, W − win + 1] for <see cref="SsimPadding.Valid"/>, [N, C, H, W] for <see cref="SsimPadding.Zero"/></returns>
    public static (Tensor Ssim, Tensor Cs) Maps(Tensor x, Tensor y, SsimOptions options, SsimPadding padding, GaussianFilterBank? filters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireSameShape(x, y);
        double c1 = Math.Pow(options.K1 * options.DataRange, 2), c2 = Math.Pow(options.K2 * options.DataRange, 2);
        long channels = x.shape[1];
        int win = options.WindowSize;
        long pad = padding == SsimPadding.Zero ? win / 2 : 0;
        using var scope = torch.NewDisposeScope();
        if (filters is not null)
        {
            var moments = filters.Apply(torch.cat([x, y, x * x, y * y, x * y], 1), win, options.Sigma, padding).split(channels, 1); // 5 x [N, C, H', W']
            return Combine(moments[0], moments[1], moments[2], moments[3], moments[4], c1, c2);
        }
        var g = GaussianWindow.Create(win, options.Sigma, x.device, x.dtype); // [win]
        var gx = g.reshape(1, 1, 1, -1).expand(channels, 1, 1, win).contiguous(); // [C, 1, 1, win]
        var gy = g.reshape(1, 1, -1, 1).expand(channels, 1, win, 1).contiguous(); // [C, 1, win, 1]
        Tensor Filter(Tensor t)
        {
            using var h = nn.functional.conv2d(t, gx, padding: new long[] { 0, pad }, groups: channels);
            return nn.functional.conv2d(h, gy, padding: new long[] { pad, 0 }, groups: channels);
        }

        return Combine(Filter(x), Filter(y), Filter(x * x), Filter(y * y), Filter(x * y), c1, c2);
    }

    /// <summary>
    /// The weighted sum of the zero-padded SSIM map (or of the cs map: <paramref name="contrastOnly"/>) of two [1, C, H, W]
    /// images, <c>sum_c sum_q w_q map_cq</c> with weights [H, W] (no gradient), or the plain mean over C, H and W when
    /// <paramref name="weights"/> is null; differentiable in <paramref name="x"/> only. CPU float32 runs the fused kernel
    /// (direct separable window, analytic backward; equal to <see cref="Maps"/> up to float rounding); other inputs, or
    /// <paramref name="fused"/> false, use <see cref="Maps"/> with the given bank.
    /// </summary>
    public static Tensor WeightedMapSum(Tensor x, Tensor y, Tensor? weights, SsimOptions options, bool contrastOnly, GaussianFilterBank? filters = null, bool fused = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireSameShape(x, y);
        using var scope = torch.NewDisposeScope();
        if (fused && x.shape[0] == 1 && FusedSsimFunction.Supports(x, y) && (weights is null || weights.device_type == DeviceType.CPU))
        {
            double c1 = Math.Pow(options.K1 * options.DataRange, 2), c2 = Math.Pow(options.K2 * options.DataRange, 2);
            var w = weights?.detach().reshape(x.shape[2], x.shape[3]);
            return FusedSsimFunction.Apply(x.squeeze(0), y.detach().squeeze(0), w, new FusedSsimFunction.Settings(options.WindowSize, options.Sigma, c1, c2, contrastOnly))
                .MoveToOuterDisposeScope();
        }
        var (ssim, cs) = Maps(x, y, options, SsimPadding.Zero, filters); // [N, C, H, W]
        var map = contrastOnly ? cs : ssim;
        var result = weights is null ? map.mean() : (map * weights.detach().reshape(1, 1, x.shape[2], x.shape[3])).sum();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The SSIM and cs maps from the filtered moments E[x], E[y], E[x²], E[y²], E[xy] (caller's dispose scope is the outer one).</summary>
    private static (Tensor Ssim, Tensor Cs) Combine(Tensor muX, Tensor muY, Tensor xx, Tensor yy, Tensor xy, double c1, double c2)
    {
        var muXX = muX * muX;
        var muYY = muY * muY;
        var muXY = muX * muY;
        var sXX = xx - muXX;
        var sYY = yy - muYY;
        var sXY = xy - muXY;
        var csMap = sXY.Times(2).Plus(c2) / sXX.Plus(sYY).Plus(c2);
        var ssimMap = muXY.Times(2).Plus(c1) / muXX.Plus(muYY).Plus(c1) * csMap;
        return (ssimMap.MoveToOuterDisposeScope(), csMap.MoveToOuterDisposeScope());
    }

    /// <summary>Throws unless the images' sides allow <paramref name="scales"/> scales of valid filtering with the window.</summary>
    public static void RequireSize(Tensor x, int window, int scales)
    {
        long minSide = Math.Min(x.shape[2], x.shape[3]);
        long needed = (long)(window - 1) * (1L << (scales - 1)) + 1;
        if (minSide < needed)
            throw new ArgumentException(scales == 1
                ? $"SSIM needs images of at least {needed} x {needed} pixels (window {window}); got {x.shape[3]} x {x.shape[2]}."
                : $"MS-SSIM with {scales} scales needs images of at least {needed} x {needed} pixels; got {x.shape[3]} x {x.shape[2]}.");
    }

    /// <summary>Throws unless both are image batches [N, C, H, W] of one shape.</summary>
    public static void RequireSameShape(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.dim() != 4 || !x.shape.SequenceEqual(y.shape))
            throw new ArgumentException($"SSIM needs two image batches [N, C, H, W] of one shape; got [{string.Join(", ", x.shape)}] and [{string.Join(", ", y.shape)}].");
    }
}
