using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Animation.Rendering;

/// <summary>
/// Re-bakes the head texture from the enhanced static views so the animated videos carry the enhanced appearance.
/// Each texel's surface point p (normal n) on the neutral fitted head is projected into every observation; an
/// observation counts with w = priority x s(cos(n, to camera))^2 x mask, where s is a smoothstep from FacingMin to
/// FacingFull, and only where p is not behind the observation's own z-buffer of the head (farthest of the 2 x 2
/// depths around the projection, plus DepthTolerance; a background neighbour counts as visible). The new texel is
/// (sum_o w_o c_o + PriorWeight c_prior) / (sum_o w_o + PriorWeight): the prior (the shape prior's texture) fills
/// what no view sees, and the source view (highest priority) dominates what it sees, so the neutral frame rendered
/// from the source camera reproduces the enhanced view. Charts are then grown by <see cref="TextureRebakeOptions.Dilation"/> texels.
/// </summary>
public static class MultiViewTextureBaker
{
    /// <summary>The new texture (same size as <paramref name="prior"/>) and the fraction of covered texels some observation saw.</summary>
    /// <param name="mesh">The neutral head surface (world coordinates), triangles matching <paramref name="uvFaces"/>.</param>
    /// <param name="uv">Texture coordinates [T * 2].</param>
    /// <param name="uvFaces">Texture-coordinate indices per triangle of <paramref name="mesh"/>.</param>
    /// <param name="prior">The texture to update.</param>
    /// <param name="observations">Images to bake from.</param>
    /// <param name="options">Weights and thresholds.</param>
    public static (RgbImage Texture, double SeenFraction) Bake(TriangleMesh mesh, float[] uv, int[] uvFaces, RgbImage prior,
        IReadOnlyList<TextureObservation> observations, TextureRebakeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(prior);
        ArgumentNullException.ThrowIfNull(observations);
        var o = options ?? new TextureRebakeOptions();
        if (uvFaces.Length != mesh.Triangles.Length) throw new ArgumentException("Texture faces must match the mesh triangles.", nameof(uvFaces));
        int w = prior.Width, h = prior.Height;
        var fragments = UvRasterizer.Rasterize(uv, uvFaces, w, h);
        var normalsV = mesh.VertexNormals();
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        var normals = fragments.Interpolate(normalsV, 3, mesh.Triangles);
        var depths = observations.Select(obs => MeshRasterizer.Rasterize(mesh, obs.Camera).Depth).ToArray();
        var result = prior.Clone();
        var covered = new bool[w * h];
        long seen = 0, total = 0;
        object gate = new();
        Parallel.For(0, h, y =>
        {
            long rowSeen = 0, rowTotal = 0;
            for (int x = 0; x < w; x++)
            {
                int p = y * w + x;
                if (fragments.TriangleIds[p] < 0) continue;
                covered[p] = true;
                rowTotal++;
                var point = new Vector3(points[3 * p], points[3 * p + 1], points[3 * p + 2]);
                var n = new Vector3(normals[3 * p], normals[3 * p + 1], normals[3 * p + 2]);
                n = n.LengthSquared() > 1e-12f ? Vector3.Normalize(n) : Vector3.UnitZ;
                var sum = Vector3.Zero;
                float weight = 0;
                for (int k = 0; k < observations.Count; k++)
                {
                    var (c, wk) = Observe(observations[k], depths[k], point, n, o);
                    sum += wk * c;
                    weight += wk;
                }
                if (weight <= 0) continue;
                rowSeen++;
                result[x, y] = (sum + o.PriorWeight * prior[x, y]) / (weight + o.PriorWeight);
            }
            lock (gate) { seen += rowSeen; total += rowTotal; }
        });
        Dilate(result, covered, o.Dilation);
        return (result, total == 0 ? 0 : (double)seen / total);
    }

    /// <summary>The same re-bake per vertex, for models without texture coordinates: vertex colours [V * 3] of <paramref name="mesh"/>.</summary>
    public static (float[] Colours, double SeenFraction) BakeVertexColours(TriangleMesh mesh, float[] prior,
        IReadOnlyList<TextureObservation> observations, TextureRebakeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(prior);
        ArgumentNullException.ThrowIfNull(observations);
        if (prior.Length < mesh.Positions.Length) throw new ArgumentException("One prior colour per vertex is needed.", nameof(prior));
        var o = options ?? new TextureRebakeOptions();
        var normals = mesh.VertexNormals();
        var depths = observations.Select(obs => MeshRasterizer.Rasterize(mesh, obs.Camera).Depth).ToArray();
        var result = (float[])prior.Clone();
        int seen = 0;
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var n = new Vector3(normals[3 * v], normals[3 * v + 1], normals[3 * v + 2]);
            var sum = Vector3.Zero;
            float weight = 0;
            for (int k = 0; k < observations.Count; k++)
            {
                var (c, wk) = Observe(observations[k], depths[k], mesh.Position(v), n, o);
                sum += wk * c;
                weight += wk;
            }
            if (weight <= 0) continue;
            seen++;
            var p = new Vector3(prior[3 * v], prior[3 * v + 1], prior[3 * v + 2]);
            var c2 = (sum + o.PriorWeight * p) / (weight + o.PriorWeight);
            result[3 * v] = c2.X; result[3 * v + 1] = c2.Y; result[3 * v + 2] = c2.Z;
        }
        return (result, mesh.VertexCount == 0 ? 0 : (double)seen / mesh.VertexCount);
    }

    private static (Vector3 Colour, float Weight) Observe(TextureObservation obs, float[] zBuffer, Vector3 p, Vector3 n, TextureRebakeOptions o)
    {
        var cam = obs.Camera;
        var c = cam.Position;
        var toCamera = Vector3.Normalize(new Vector3((float)c.X, (float)c.Y, (float)c.Z) - p);
        double facing = SmoothStep(Vector3.Dot(n, toCamera), o.FacingMin, o.FacingFull);
        if (facing <= 0) return (Vector3.Zero, 0);
        var (u, v, z) = cam.Project(new Graphics.Cameras.Vector3d(p.X, p.Y, p.Z));
        if (z <= 0 || u < 0 || v < 0 || u >= cam.Width || v >= cam.Height) return (Vector3.Zero, 0);
        int x0 = (int)Math.Floor(u - 0.5), y0 = (int)Math.Floor(v - 0.5);
        double farthest = 0;
        bool open = false;
        for (int dy = 0; dy <= 1 && !open; dy++)
            for (int dx = 0; dx <= 1; dx++)
            {
                int xx = Math.Clamp(x0 + dx, 0, cam.Width - 1), yy = Math.Clamp(y0 + dy, 0, cam.Height - 1);
                float d = zBuffer[yy * cam.Width + xx];
                if (d <= 0) { open = true; break; }
                farthest = Math.Max(farthest, d);
            }
        if (!open && z > farthest + o.DepthTolerance) return (Vector3.Zero, 0);
        double weight = obs.Priority * facing * facing;
        if (obs.Mask is not null) weight *= Math.Clamp(obs.Mask.SampleBilinear(u, v), 0f, 1f);
        if (weight <= 0) return (Vector3.Zero, 0);
        // Observation images may be at another resolution than their camera was made for only if scaled consistently.
        double sx = (double)obs.Image.Width / cam.Width, sy = (double)obs.Image.Height / cam.Height;
        return (obs.Image.SampleBilinear(u * sx, v * sy), (float)weight);
    }

    private static double SmoothStep(double value, double from, double to)
    {
        double t = Math.Clamp((value - from) / Math.Max(to - from, 1e-9), 0, 1);
        return t * t * (3 - 2 * t);
    }

    private static void Dilate(RgbImage texture, bool[] filled, int rounds)
    {
        int w = texture.Width, h = texture.Height;
        var current = (bool[])filled.Clone();
        for (int round = 0; round < rounds; round++)
        {
            var next = (bool[])current.Clone();
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    if (current[y * w + x]) continue;
                    var sum = Vector3.Zero;
                    int count = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int xx = x + dx, yy = y + dy;
                            if (xx < 0 || yy < 0 || xx >= w || yy >= h || !current[yy * w + xx]) continue;
                            sum += texture[xx, yy];
                            count++;
                        }
                    if (count == 0) continue;
                    texture[x, y] = sum / count;
                    next[y * w + x] = true;
                }
            current = next;
        }
    }
}
