using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>What the volume renderer returns per ray.</summary>
/// <param name="Features">Composited colour features [N, M, C].</param>
/// <param name="Depth">Expected ray distance [N, M, 1] (ray units, clamped to the sampled range).</param>
/// <param name="Weights">Accumulated opacity [N, M, 1].</param>
public sealed record VolumeRenderOutput(Tensor Features, Tensor Depth, Tensor Weights);

/// <summary>
/// EG3D's <c>RaySampler</c> + <c>ImportanceRenderer</c> + <c>MipRayMarcher2</c> with PanoHead's tri-grid sampling:
/// rays from normalised intrinsics, stratified samples in [ray_start, ray_end] with jitter, features bilinearly
/// sampled from the three D-deep planes (xy, xz, zy; a 3D grid sample each), decoded to density and colour,
/// composited; then importance samples from the coarse weights, merged and composited again. Densities outside
/// the tri-grid crop are switched off. No parameters.
/// </summary>
public sealed class TriGridRenderer(PanoHeadConfig config)
{
    /// <summary>Rays of a camera label (cam2world [N, 4, 4] OpenCV axes, normalised intrinsics [N, 3, 3]) at resolution r x r:
    /// origins and unit directions [N, r*r, 3], pixel centres at (i + 0.5) / r.</summary>
    public static (Tensor Origins, Tensor Directions) Rays(Tensor cam2world, Tensor intrinsics, int resolution)
    {
        using var scope = torch.NewDisposeScope();
        long n = cam2world.shape[0], m = (long)resolution * resolution;
        var device = cam2world.device;
        var steps = HeldScalarOps.Arange(resolution, ScalarType.Float32, device).Times(1.0 / resolution).Plus(0.5 / resolution);
        var v = steps.view(resolution, 1).expand(resolution, resolution).reshape(1, m).expand(n, m); // row
        var u = steps.view(1, resolution).expand(resolution, resolution).reshape(1, m).expand(n, m); // column
        var fx = intrinsics[.., 0, 0].unsqueeze(1); var fy = intrinsics[.., 1, 1].unsqueeze(1);
        var cx = intrinsics[.., 0, 2].unsqueeze(1); var cy = intrinsics[.., 1, 2].unsqueeze(1);
        var sk = intrinsics[.., 0, 1].unsqueeze(1);
        var xLift = ((u - cx).Plus(cy * sk / fy) - sk * v / fy) / fx;
        var yLift = (v - cy) / fy;
        var ones = torch.ones_like(xLift);
        var camPoints = torch.stack(new[] { xLift, yLift, ones, ones }, -1); // [N, M, 4]
        var world = torch.bmm(cam2world, camPoints.permute(0, 2, 1)).permute(0, 2, 1).narrow(2, 0, 3);
        var origin = cam2world.narrow(1, 0, 3).select(2, 3); // [N, 3]
        var dirs = torch.nn.functional.normalize(world - origin.unsqueeze(1), dim: 2);
        var origins = origin.unsqueeze(1).expand(n, m, 3).contiguous();
        return (origins.MoveToOuterDisposeScope(), dirs.MoveToOuterDisposeScope());
    }

    /// <summary>Renders the rays through the planes [N, 3, C*D, H, W] with the decoder, jitter from torch's RNG.</summary>
    public VolumeRenderOutput Render(Tensor planes, OsgDecoder decoder, Tensor origins, Tensor directions, torch.Generator? generator = null) =>
        Render(planes, decoder, origins, directions, new TorchRayRandomSource(generator));

    /// <summary>Renders the rays (origins, directions [N, M, 3]) through the planes [N, 3, C*D, H, W] with the decoder;
    /// the sample jitter and importance positions come from <paramref name="random"/>.</summary>
    public VolumeRenderOutput Render(Tensor planes, OsgDecoder decoder, Tensor origins, Tensor directions, IRayRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        using var scope = torch.NewDisposeScope();
        long n = origins.shape[0], m = origins.shape[1];
        int coarseCount = config.DepthResolution;
        var depthsCoarse = Stratified(n, m, coarseCount, origins.device, random); // [N, M, S, 1]
        var (colorsCoarse, densitiesCoarse) = RunModel(planes, decoder, origins, directions, depthsCoarse);

        Tensor depths = depthsCoarse, colors = colorsCoarse, densities = densitiesCoarse;
        if (config.DepthResolutionImportance > 0)
        {
            var (_, _, weights) = March(colorsCoarse, densitiesCoarse, depthsCoarse);
            var depthsFine = Importance(depthsCoarse, weights, config.DepthResolutionImportance, random);
            var (colorsFine, densitiesFine) = RunModel(planes, decoder, origins, directions, depthsFine);
            var allDepths = torch.cat(new[] { depthsCoarse, depthsFine }, 2);
            var allColors = torch.cat(new[] { colorsCoarse, colorsFine }, 2);
            var allDensities = torch.cat(new[] { densitiesCoarse, densitiesFine }, 2);
            var (sorted, indices) = torch.sort(allDepths, dim: 2);
            depths = sorted;
            colors = torch.gather(allColors, 2, indices.expand(-1, -1, -1, allColors.shape[3]));
            densities = torch.gather(allDensities, 2, indices);
        }
        var (rgb, depth, w) = March(colors, densities, depths);
        if (config.WhiteBackground) rgb = rgb.Plus(1) - w.sum(2);
        return new VolumeRenderOutput(rgb.MoveToOuterDisposeScope(), depth.MoveToOuterDisposeScope(), w.sum(2).MoveToOuterDisposeScope());
    }

    private Tensor Stratified(long n, long m, int count, Device device, IRayRandomSource random)
    {
        if (config.DisparitySpaceSampling)
        {
            // Uniform in [0, 1] plus jitter, then mapped to depth through inverse depth.
            var t = torch.linspace(0, 1, count, ScalarType.Float32, device).reshape(1, 1, count, 1).repeat(n, m, 1, 1);
            t = t.Plus(CheckedDraw(random.Stratified(t.shape, ScalarType.Float32, device), t.shape, "stratified").Times(1.0 / (count - 1)));
            return ((t.SubtractedFrom(1.0)).Times(1.0 / config.RayStart).Plus(t.Times(1.0 / config.RayEnd))).reciprocal().Times(1.0);
        }
        var depths = torch.linspace(config.RayStart, config.RayEnd, count, ScalarType.Float32, device).reshape(1, 1, count, 1).repeat(n, m, 1, 1);
        double delta = (config.RayEnd - config.RayStart) / (count - 1);
        return depths.Plus(CheckedDraw(random.Stratified(depths.shape, ScalarType.Float32, device), depths.shape, "stratified").Times(delta));
    }

    private static Tensor CheckedDraw(Tensor draw, long[] shape, string what) => draw.shape.SequenceEqual(shape)
        ? draw
        : throw new ArgumentException($"The {what} random draw is [{string.Join(", ", draw.shape)}], the renderer needs [{string.Join(", ", shape)}].");

    /// <summary>Decodes density and colour at depths [N, M, S, 1] along the rays: colours [N, M, S, C], densities [N, M, S, 1].</summary>
    private (Tensor Colors, Tensor Densities) RunModel(Tensor planes, OsgDecoder decoder, Tensor origins, Tensor directions, Tensor depths)
    {
        long n = origins.shape[0], m = origins.shape[1], s = depths.shape[2];
        var coordinates = (origins.unsqueeze(2).Plus(depths * directions.unsqueeze(2))).reshape(n, -1, 3);
        var sampled = SampleFromPlanes(planes, coordinates);
        var (rgb, sigma) = decoder.Forward(sampled);
        if (config.TriplaneCrop > 0)
        {
            double limit = config.BoxWarp / 2 - config.TriplaneCrop;
            var inside = coordinates.select(2, 0).abs().IsAtMost(limit).logical_and(coordinates.select(2, 2).abs().IsAtMost(limit)).unsqueeze(-1);
            sigma = torch.where(inside, sigma, HeldScalarOps.Hold((-1e3).ToScalar(), held => torch.full_like(sigma, held)));
        }
        return (rgb.reshape(n, m, s, rgb.shape[2]), sigma.reshape(n, m, s, 1));
    }

    /// <summary>
    /// Features of points [N, M, 3] from the planes [N, 3, C*D, H, W]: each plane projects the point to (a, b, c)
    /// = (x, y, z), (x, z, y), (y, z, x) and samples its C x D x H x W grid trilinearly at (a, b, c) in [-1, 1]
    /// (points scaled by 2 / box_warp), zeros outside. Returns [N, 3, M, C].
    /// </summary>
    public Tensor SampleFromPlanes(Tensor planes, Tensor points)
    {
        using var scope = torch.NewDisposeScope();
        long n = planes.shape[0], h = planes.shape[3], w = planes.shape[4];
        long m = points.shape[1];
        int depth = config.TriplaneDepth;
        long c = planes.shape[2] / depth;
        var grid = planes.reshape(n * 3, c, depth, h, w);
        var p = points.Times(2 / config.BoxWarp);
        var x = p.select(2, 0); var y = p.select(2, 1); var z = p.select(2, 2);
        var projected = torch.stack(new[]
        {
            torch.stack(new[] { x, y, z }, -1),
            torch.stack(new[] { x, z, y }, -1),
            torch.stack(new[] { y, z, x }, -1),
        }, 1).reshape(n * 3, 1, 1, m, 3);
        var features = torch.nn.functional.grid_sample(grid, projected.to(grid.dtype), GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        return features.permute(0, 4, 3, 2, 1).reshape(n, 3, m, c).MoveToOuterDisposeScope();
    }

    /// <summary>MipRayMarcher2: composite colours [N, M, S, C] with densities [N, M, S, 1] at depths [N, M, S, 1] (mid-point rule).</summary>
    public static (Tensor Rgb, Tensor Depth, Tensor Weights) March(Tensor colors, Tensor densities, Tensor depths)
    {
        using var scope = torch.NewDisposeScope();
        long s = depths.shape[2];
        var deltas = depths.narrow(2, 1, s - 1) - depths.narrow(2, 0, s - 1);
        var colorsMid = (colors.narrow(2, 0, s - 1).Plus(colors.narrow(2, 1, s - 1))).DividedBy(2);
        var densitiesMid = (densities.narrow(2, 0, s - 1).Plus(densities.narrow(2, 1, s - 1))).DividedBy(2);
        var depthsMid = (depths.narrow(2, 0, s - 1).Plus(depths.narrow(2, 1, s - 1))).DividedBy(2);
        densitiesMid = densitiesMid.Minus(1).Softplus();
        var alpha = torch.exp(-(densitiesMid * deltas)).SubtractedFrom(1);
        var shifted = torch.cat(new[] { torch.ones_like(alpha.narrow(2, 0, 1)), alpha.SubtractedFrom(1).Plus(1e-10) }, 2);
        var weights = alpha * torch.cumprod(shifted, 2).narrow(2, 0, s - 1);
        var rgb = (weights * colorsMid).sum(2);
        var total = weights.sum(2);
        var depth = (weights * depthsMid).sum(2) / total;
        depth = torch.nan_to_num(depth, double.PositiveInfinity);
        depth = torch.clamp(depth, depths.min(), depths.max());
        return (rgb.MoveToOuterDisposeScope(), depth.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary>Importance samples (NeRF): weights smoothed by a 2-tap max then mean filter plus 0.01, inverse-CDF sampling between mid-points.</summary>
    private static Tensor Importance(Tensor zVals, Tensor weights, int count, IRayRandomSource random)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long n = zVals.shape[0], m = zVals.shape[1], s = zVals.shape[2];
        var z = zVals.reshape(n * m, s);
        var w = weights.reshape(n * m, -1);
        w = torch.nn.functional.max_pool1d(w.unsqueeze(1), 2, 1, 1);
        w = torch.nn.functional.avg_pool1d(w, 2, 1).squeeze(1).Plus(0.01);
        var mids = (z.narrow(1, 0, s - 1).Plus(z.narrow(1, 1, s - 1))).Times(0.5);
        var samples = SamplePdf(mids, w.narrow(1, 1, w.shape[1] - 2), count, random);
        return samples.reshape(n, m, count, 1).detach().MoveToOuterDisposeScope();
    }

    private static Tensor SamplePdf(Tensor bins, Tensor weights, int count, IRayRandomSource random, double eps = 1e-5)
    {
        long rays = weights.shape[0], nb = weights.shape[1];
        weights = weights.Plus(eps);
        var pdf = weights / weights.sum(-1, keepdim: true);
        var cdf = torch.cat(new[] { torch.zeros_like(pdf.narrow(1, 0, 1)), torch.cumsum(pdf, -1) }, -1);
        var u = CheckedDraw(random.Importance(rays, count, pdf.dtype, pdf.device), new[] { rays, (long)count }, "importance").to(pdf.dtype, pdf.device).contiguous();
        var inds = torch.searchsorted(cdf, u, right: true);
        var below = HeldScalarOps.Hold(0.ToScalar(), held => torch.clamp_min(inds.Minus(1), held));
        var above = HeldScalarOps.Hold(nb.ToScalar(), held => torch.clamp_max(inds, held));
        var sampled = torch.stack(new[] { below, above }, -1).view(rays, 2 * count);
        var cdfG = torch.gather(cdf, 1, sampled).view(rays, count, 2);
        var binsG = torch.gather(bins, 1, sampled).view(rays, count, 2);
        var denom = cdfG.select(2, 1) - cdfG.select(2, 0);
        denom = torch.where(denom.IsLessThan(eps), torch.ones_like(denom), denom);
        return binsG.select(2, 0).Plus((u - cdfG.select(2, 0)) / denom * (binsG.select(2, 1) - binsG.select(2, 0)));
    }
}
