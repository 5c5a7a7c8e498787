using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// Depth-guided warping of the image prior (paper 3.2, supp. 6.2). For an anchor view and a target view, both
/// with depth from the shape prior:
/// <list type="number">
/// <item>forward: every anchor pixel is lifted to 3D with its depth and projected into the target; neighbouring
/// lifted pixels form triangles (not across depth jumps) rasterized in the target, and a target pixel is marked when
/// the warped depth passes the z-buffer test against the target's depth (|z - D_target| within the tolerance: the
/// anchor's surface is the surface the target sees, not one hidden behind it); pinholes are closed inside the
/// target's surface;</item>
/// <item>backward: each marked target pixel is lifted with the target depth and projected into the anchor; it stays
/// visible only if it agrees with the anchor's (bilinearly interpolated) depth there, so the anchor really sees it,
/// and takes the anchor's colour by bilinear sampling, unless the anchor's matte says the pixel there is background
/// (<see cref="DepthWarpOptions.MinAnchorMask"/>);</item>
/// <item>the hard visibility mask gets a soft boundary band (value 0.1) and is averaged down to latent resolution.</item>
/// </list>
/// Tolerance: <c>abs + pixels * z / f</c> (a few pixel footprints). Pixels where the anchor saw the surface
/// strongly foreshortened (fewer than <see cref="DepthWarpOptions.MinAnchorDensity"/> anchor pixels per target
/// pixel) are left out: their warped colours would be smeared. With several anchors each target pixel takes the
/// visible anchor whose viewing ray is closest in angle to the target's ray ("nearest visible wins"; an anchor's
/// <see cref="AnchorView.HandicapDegrees"/> is added to its angle).
/// An anchor with a <see cref="AnchorView.FaceRegion"/> (the reference portrait) is gated by facing: outside its face
/// region its pixels reach only target surface whose normal (from the target depth) faces the anchor camera
/// (<see cref="DepthWarpOptions.AnchorFacingMin"/> .. <see cref="DepthWarpOptions.AnchorFacingFull"/>); the gate's weight
/// scales the soft mask, so elsewhere the coarse view keeps its pixels.
/// </summary>
public sealed class DepthWarper(DepthWarpOptions options)
{
    /// <summary>Warps one anchor into the target view.</summary>
    public WarpedView Warp(AnchorView anchor, Camera target, DepthMap targetDepth) => Warp(new[] { anchor }, target, targetDepth);

    /// <summary>Warps several anchors; per pixel the visible anchor nearest in viewing angle wins.</summary>
    public WarpedView Warp(IReadOnlyList<AnchorView> anchors, Camera target, DepthMap targetDepth)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(targetDepth);
        if (anchors.Count == 0) throw new ArgumentException("No anchors.", nameof(anchors));
        int w = target.Width, h = target.Height;
        if (targetDepth.Width != w || targetDepth.Height != h) throw new ArgumentException("The target depth must have the target camera's resolution.");
        var image = new RgbImage(w, h);
        var visibility = new FloatImage(w, h);
        var source = Enumerable.Repeat(-1, w * h).ToArray();
        var bestAngle = Enumerable.Repeat(double.PositiveInfinity, w * h).ToArray(); // radians, with the anchor's handicap
        var weight = new float[w * h];
        var targetPoints = LiftAll(target, targetDepth);
        var targetCentre = ToVector(target.Position);
        bool gated = options.AnchorFacingMin >= 0 && anchors.Any(a => a.FaceRegion is not null);
        var normals = gated ? SurfaceNormals(targetPoints, targetDepth, targetCentre) : null;

        for (int a = 0; a < anchors.Count; a++)
        {
            var anchor = anchors[a];
            if (anchor.Image.Width != anchor.Depth.Width || anchor.Image.Height != anchor.Depth.Height || anchor.Camera.Width != anchor.Image.Width)
                throw new ArgumentException($"Anchor '{anchor.Name}': image, depth and camera must share one resolution.");
            if (anchor.FaceRegion is { } region && (region.Width != anchor.Image.Width || region.Height != anchor.Image.Height))
                throw new ArgumentException($"Anchor '{anchor.Name}': the face region must have the image's resolution.");
            var hits = ForwardHits(anchor, target, targetDepth);
            var anchorCentre = ToVector(anchor.Camera.Position);
            double handicap = anchor.HandicapDegrees * Math.PI / 180;
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                if (!hits[p]) continue;
                var point = targetPoints[p];
                if (!Backward(anchor, point, out var colour, out double u, out double v)) continue;
                if (AnchorDensity(anchor.Camera, targetPoints, targetDepth, x, y) < options.MinAnchorDensity) continue;
                var toAnchor = Vector3.Normalize(anchorCentre - point);
                float facing = normals is not null && anchor.FaceRegion is { } face
                    ? Math.Max(face.SampleBilinear(u, v), SmoothRamp.Of(Vector3.Dot(normals[p], toAnchor), options.AnchorFacingMin, options.AnchorFacingFull))
                    : 1f;
                if (facing <= 0) continue; // another anchor may still see this pixel
                float cos = Vector3.Dot(Vector3.Normalize(targetCentre - point), toAnchor);
                double angle = Math.Acos(Math.Clamp(cos, -1f, 1f)) + handicap;
                if (angle >= bestAngle[p]) continue;
                bestAngle[p] = angle;
                source[p] = a;
                weight[p] = facing;
                visibility[x, y] = 1;
                image[x, y] = colour;
            }
        }

        var soft = SoftMask(visibility);
        for (int p = 0; p < soft.Data.Length; p++) soft.Data[p] *= weight[p];
        int factor = Math.Max(1, options.LatentFactor);
        var latent = soft.Resize(Math.Max(1, w / factor), Math.Max(1, h / factor));
        return new WarpedView(image, visibility, soft, latent, source);
    }

    /// <summary>
    /// The target pixels covered by the anchor's lifted surface that pass the z-buffer test against the target depth.
    /// Neighbouring anchor pixels form a grid of triangles (dropped across depth jumps larger than
    /// <see cref="DepthWarpOptions.DiscontinuityMetres"/>) so that magnified regions leave no holes; the grid is
    /// rasterized in the target camera and a covered pixel counts when the warped depth agrees with the target's.
    /// </summary>
    private bool[] ForwardHits(AnchorView anchor, Camera target, DepthMap targetDepth)
    {
        int w = target.Width, h = target.Height;
        var depth = anchor.Depth;
        int aw = depth.Width, ah = depth.Height;
        var screen = new float[aw * ah * 3];
        var skip = new bool[aw * ah];
        for (int y = 0; y < ah; y++)
        for (int x = 0; x < aw; x++)
        {
            int i = y * aw + x;
            float d = depth[x, y];
            if (d <= 0) { skip[i] = true; continue; }
            var (u, v, z) = target.Project(Lift(anchor.Camera, x + 0.5, y + 0.5, d));
            if (z <= 0.01) { skip[i] = true; continue; }
            screen[3 * i] = (float)u;
            screen[3 * i + 1] = (float)v;
            screen[3 * i + 2] = (float)z;
        }
        var triangles = new List<int>();
        for (int y = 0; y + 1 < ah; y++)
        for (int x = 0; x + 1 < aw; x++)
        {
            int a = y * aw + x, b = a + 1, c = a + aw, d = c + 1;
            AddIfContinuous(a, c, b);
            AddIfContinuous(b, c, d);
        }
        var fragments = ProjectedTriangleRasterizer.Rasterize(screen, skip, triangles.ToArray(), w, h);
        var hits = new bool[w * h];
        for (int ty = 0; ty < h; ty++)
        for (int tx = 0; tx < w; tx++)
        {
            int p = ty * w + tx;
            float dt = targetDepth[tx, ty];
            if (dt <= 0 || fragments.TriangleIds[p] < 0) continue;
            if (Math.Abs(fragments.Depth[p] - dt) <= Tolerance(target, dt)) hits[p] = true;
        }
        return CloseInside(hits, targetDepth, options.HoleFillRadius);

        void AddIfContinuous(int i, int j, int k)
        {
            if (skip[i] || skip[j] || skip[k]) return;
            float di = depth.Values.Data[i], dj = depth.Values.Data[j], dk = depth.Values.Data[k];
            if (Math.Max(di, Math.Max(dj, dk)) - Math.Min(di, Math.Min(dj, dk)) > options.DiscontinuityMetres) return;
            triangles.Add(i);
            triangles.Add(j);
            triangles.Add(k);
        }
    }

    private bool Backward(AnchorView anchor, Vector3 point, out Vector3 colour, out double u, out double v)
    {
        colour = Vector3.Zero;
        (u, v, var z) = anchor.Camera.Project(new Vector3d(point.X, point.Y, point.Z));
        if (z <= 0 || u < 0 || v < 0 || u >= anchor.Image.Width || v >= anchor.Image.Height) return false;
        double da = AnchorDepth(anchor.Depth, u, v);
        if (da <= 0 || Math.Abs(z - da) > Tolerance(anchor.Camera, da)) return false;
        if (anchor.Mask is { } mask && mask.SampleBilinear(u, v) < options.MinAnchorMask) return false;
        colour = anchor.Image.SampleBilinear(u, v);
        return true;
    }

    /// <summary>
    /// Anchor pixels per target pixel around target pixel (x, y): |det| of the Jacobian of the target-to-anchor
    /// mapping from the neighbouring pixels' surface points (1 = same resolution, small = the anchor saw the
    /// surface foreshortened and its colours are stretched here). +inf where no neighbour has a surface.
    /// </summary>
    private static double AnchorDensity(Camera anchor, Vector3[] points, DepthMap targetDepth, int x, int y)
    {
        int w = targetDepth.Width, h = targetDepth.Height;
        int xn = x + 1 < w && targetDepth.HasSurface(x + 1, y) ? x + 1 : x - 1 >= 0 && targetDepth.HasSurface(x - 1, y) ? x - 1 : -1;
        int yn = y + 1 < h && targetDepth.HasSurface(x, y + 1) ? y + 1 : y - 1 >= 0 && targetDepth.HasSurface(x, y - 1) ? y - 1 : -1;
        if (xn < 0 || yn < 0) return double.PositiveInfinity;
        (double U, double V) P(Vector3 q)
        {
            var (u, v, _) = anchor.Project(new Vector3d(q.X, q.Y, q.Z));
            return (u, v);
        }
        var c = P(points[y * w + x]);
        var dx = P(points[y * w + xn]);
        var dy = P(points[yn * w + x]);
        double sx = xn - x, sy = yn - y;
        double j00 = (dx.U - c.U) / sx, j10 = (dx.V - c.V) / sx, j01 = (dy.U - c.U) / sy, j11 = (dy.V - c.V) / sy;
        return Math.Abs(j00 * j11 - j01 * j10);
    }

    /// <summary>
    /// Unit surface normals of the target's lifted depth (per axis the one-sided difference toward the neighbour with the
    /// smaller depth step, among neighbours with surface and no jump larger than <see cref="DepthWarpOptions.DiscontinuityMetres"/>), turned toward the target
    /// camera; where a pixel has no usable neighbour along an axis, the direction to the camera.
    /// </summary>
    private Vector3[] SurfaceNormals(Vector3[] points, DepthMap depth, Vector3 cameraCentre)
    {
        int w = depth.Width, h = depth.Height;
        var normals = new Vector3[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int p = y * w + x;
            float d = depth[x, y];
            if (d <= 0) continue;
            var toCamera = Vector3.Normalize(cameraCentre - points[p]);
            var du = Difference(x - 1, y, x + 1, y);
            var dv = Difference(x, y - 1, x, y + 1);
            var n = du is { } a && dv is { } b ? Vector3.Cross(a, b) : Vector3.Zero;
            float length = n.Length();
            if (length < 1e-12f) { normals[p] = toCamera; continue; }
            n /= length;
            normals[p] = Vector3.Dot(n, toCamera) < 0 ? -n : n;

            Vector3? Difference(int x0, int y0, int x1, int y1)
            {
                bool first = Usable(x0, y0), second = Usable(x1, y1);
                if (first && second) // the side with the smaller depth step: a crease or an occlusion edge bends only one side
                    return Math.Abs(depth[x1, y1] - d) <= Math.Abs(depth[x0, y0] - d) ? points[y1 * w + x1] - points[p] : points[p] - points[y0 * w + x0];
                if (second) return points[y1 * w + x1] - points[p];
                if (first) return points[p] - points[y0 * w + x0];
                return null;
            }

            bool Usable(int xx, int yy) =>
                xx >= 0 && yy >= 0 && xx < w && yy < h && depth[xx, yy] > 0 && Math.Abs(depth[xx, yy] - d) <= options.DiscontinuityMetres;
        }
        return normals;
    }

    /// <summary>Bilinear depth where the four samples around (u, v) are all surface; the nearest sample otherwise.</summary>
    private static double AnchorDepth(DepthMap depth, double u, double v)
    {
        double x = u - 0.5, y = v - 0.5;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        int xa = Math.Clamp(x0, 0, depth.Width - 1), xb = Math.Clamp(x0 + 1, 0, depth.Width - 1);
        int ya = Math.Clamp(y0, 0, depth.Height - 1), yb = Math.Clamp(y0 + 1, 0, depth.Height - 1);
        float d00 = depth[xa, ya], d10 = depth[xb, ya], d01 = depth[xa, yb], d11 = depth[xb, yb];
        if (d00 > 0 && d10 > 0 && d01 > 0 && d11 > 0)
        {
            double fx = x - x0, fy = y - y0;
            return (d00 * (1 - fx) + d10 * fx) * (1 - fy) + (d01 * (1 - fx) + d11 * fx) * fy;
        }
        return depth[Math.Clamp((int)Math.Floor(u), 0, depth.Width - 1), Math.Clamp((int)Math.Floor(v), 0, depth.Height - 1)];
    }

    private double Tolerance(Camera camera, double depth) =>
        options.DepthToleranceAbsolute + options.DepthTolerancePixels * depth / camera.Intrinsics.Fx;

    private FloatImage SoftMask(FloatImage visibility)
    {
        int w = visibility.Width, h = visibility.Height;
        int band = Math.Max(1, (int)Math.Round(options.BoundaryBandFraction * Math.Max(w, h)));
        var inside = visibility.Data.Select(v => v > 0.5f).ToArray();
        var interior = Erode(inside, w, h, band);
        var soft = new FloatImage(w, h);
        for (int i = 0; i < soft.Data.Length; i++)
            soft.Data[i] = interior[i] ? 1f : inside[i] ? (float)options.BoundaryBandValue : 0f;
        return soft;
    }

    private static bool[] Erode(bool[] mask, int w, int h, int radius)
    {
        var result = new bool[mask.Length];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            if (!mask[y * w + x]) continue;
            bool keep = true;
            for (int dy = -radius; dy <= radius && keep; dy++)
            for (int dx = -radius; dx <= radius && keep; dx++)
            {
                int xx = x + dx, yy = y + dy;
                keep = xx >= 0 && yy >= 0 && xx < w && yy < h && mask[yy * w + xx];
            }
            result[y * w + x] = keep;
        }
        return result;
    }

    /// <summary>Morphological closing (dilate, then erode) restricted to pixels that have a target surface.</summary>
    private static bool[] CloseInside(bool[] hits, DepthMap surface, int radius)
    {
        if (radius <= 0) return hits;
        int w = surface.Width, h = surface.Height;
        var dilated = new bool[hits.Length];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            bool any = false;
            for (int dy = -radius; dy <= radius && !any; dy++)
            for (int dx = -radius; dx <= radius && !any; dx++)
            {
                int xx = x + dx, yy = y + dy;
                any = xx >= 0 && yy >= 0 && xx < w && yy < h && hits[yy * w + xx];
            }
            dilated[y * w + x] = any;
        }
        var closed = new bool[hits.Length];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            if (!dilated[y * w + x] || !surface.HasSurface(x, y)) continue;
            bool all = true;
            for (int dy = -radius; dy <= radius && all; dy++)
            for (int dx = -radius; dx <= radius && all; dx++)
            {
                int xx = x + dx, yy = y + dy;
                // Outside the image or off the surface does not erode: the closing only fills holes.
                all = xx < 0 || yy < 0 || xx >= w || yy >= h || !surface.HasSurface(xx, yy) || dilated[yy * w + xx];
            }
            closed[y * w + x] = hits[y * w + x] || all;
        }
        return closed;
    }

    private static Vector3[] LiftAll(Camera camera, DepthMap depth)
    {
        var points = new Vector3[depth.Width * depth.Height];
        for (int y = 0; y < depth.Height; y++)
        for (int x = 0; x < depth.Width; x++)
        {
            float d = depth[x, y];
            if (d > 0) points[y * depth.Width + x] = ToVector(Lift(camera, x + 0.5, y + 0.5, d));
        }
        return points;
    }

    /// <summary>The world point seen at pixel position (u, v) with camera depth z.</summary>
    public static Vector3d Lift(Camera camera, double u, double v, double z)
    {
        ArgumentNullException.ThrowIfNull(camera);
        var k = camera.Intrinsics;
        double xc = (u - k.Cx) / k.Fx * z, yc = (v - k.Cy) / k.Fy * z;
        var e = camera.Extrinsics;
        return e.Position + e.Right * xc + e.Down * yc + e.Forward * z;
    }

    private static Vector3 ToVector(Vector3d v) => new((float)v.X, (float)v.Y, (float)v.Z);
}
