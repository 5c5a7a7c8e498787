using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// The coarse view as the <c>warp</c> blend takes it with <see cref="WarpBlendOptions.ShadeUncovered"/> (s28): where the
/// head is not covered by the warp (soft mask below 1, coarse mask at least 0.5), each colour is scaled by
/// floor + (1 - floor) * ramp(cos), cos between the surface normal (from the view's depth) and the direction to the
/// portrait camera, the ramp going from 0 at cosine 0 to 1 at <see cref="WarpBlendOptions.UncoveredShadeFullCosine"/>.
/// Surface the portrait camera sees squarely but that is hidden from it (behind the nose) keeps its colour; surface
/// turned away from it (the side of the head) darkens as a frontally lit photo would. Elsewhere the view is unchanged.
/// </summary>
public static class UncoveredStripShading
{
    /// <summary>Depth steps above this (metres) are not used for a normal.</summary>
    private const float DiscontinuityMetres = 0.05f;

    /// <summary>The shaded coarse view; <paramref name="shaded"/> counts the pixels scaled below 1.</summary>
    /// <param name="coarse">The shape prior's view.</param>
    /// <param name="coarseMask">Its coverage (head where at least 0.5).</param>
    /// <param name="softMask">The warp's soft mask (1 covered, the band value on its boundary, 0 elsewhere).</param>
    /// <param name="depth">The view's depth (camera z, 0 = no surface).</param>
    /// <param name="camera">The view's camera.</param>
    /// <param name="portraitCamera">The reference portrait's camera (the light is taken to come from it).</param>
    /// <param name="options">Floor and ramp.</param>
    /// <param name="shaded">Pixels darkened.</param>
    public static RgbImage Shade(RgbImage coarse, FloatImage coarseMask, FloatImage softMask, DepthMap depth, Camera camera, Camera portraitCamera,
        WarpBlendOptions options, out int shaded)
    {
        ArgumentNullException.ThrowIfNull(coarse);
        ArgumentNullException.ThrowIfNull(coarseMask);
        ArgumentNullException.ThrowIfNull(softMask);
        ArgumentNullException.ThrowIfNull(depth);
        ArgumentNullException.ThrowIfNull(camera);
        ArgumentNullException.ThrowIfNull(portraitCamera);
        ArgumentNullException.ThrowIfNull(options);
        int w = coarse.Width, h = coarse.Height;
        if (coarseMask.Width != w || coarseMask.Height != h || softMask.Width != w || softMask.Height != h || depth.Width != w || depth.Height != h)
            throw new ArgumentException("The coarse view, its mask, the soft mask and the depth must share one resolution.");
        var points = new Vector3[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (depth[x, y] > 0) points[y * w + x] = ToVector(DepthWarper.Lift(camera, x + 0.5, y + 0.5, depth[x, y]));
        var eye = ToVector(camera.Position);
        var light = ToVector(portraitCamera.Position);
        float floor = (float)options.UncoveredShadeFloor, full = (float)Math.Max(1e-3, options.UncoveredShadeFullCosine);
        var result = coarse.Clone();
        shaded = 0;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int p = y * w + x;
            if (coarseMask[x, y] < 0.5f || softMask[x, y] >= 1f || depth[x, y] <= 0) continue;
            var du = Step(x - 1, y, x + 1, y);
            var dv = Step(x, y - 1, x, y + 1);
            if (du is not { } a || dv is not { } b) continue;
            var n = Vector3.Cross(a, b);
            if (n.LengthSquared() < 1e-20f) continue;
            n = Vector3.Normalize(n);
            if (Vector3.Dot(n, eye - points[p]) < 0) n = -n; // the side the view sees
            float cos = Vector3.Dot(n, Vector3.Normalize(light - points[p]));
            float t = Math.Clamp(cos / full, 0f, 1f);
            float s = floor + (1 - floor) * t * t * (3 - 2 * t);
            if (s >= 1f) continue;
            result[x, y] = s * coarse[x, y];
            shaded++;

            Vector3? Step(int x0, int y0, int x1, int y1)
            {
                bool first = Usable(x0, y0), second = Usable(x1, y1);
                if (first && second) return points[y1 * w + x1] - points[y0 * w + x0];
                if (second) return points[y1 * w + x1] - points[p];
                if (first) return points[p] - points[y0 * w + x0];
                return null;
            }

            bool Usable(int xx, int yy) =>
                xx >= 0 && yy >= 0 && xx < w && yy < h && depth[xx, yy] > 0 && Math.Abs(depth[xx, yy] - depth[x, y]) <= DiscontinuityMetres;
        }
        return result;
    }

    private static Vector3 ToVector(Vector3d v) => new((float)v.X, (float)v.Y, (float)v.Z);
}
