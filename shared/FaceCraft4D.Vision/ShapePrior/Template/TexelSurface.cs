using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The surface behind each texel of a UV atlas: which texels a texture-coordinate triangle covers, and there the
/// world point and unit normal of the mesh (texel (x, y) at u = (x + 0.5) / W, v = 1 - (y + 0.5) / H, FLAME's
/// <c>vt</c> convention). The texture-space completion steps work on these arrays.
/// </summary>
public sealed class TexelSurface
{
    private TexelSurface(int width, int height, bool[] covered, float[] points, float[] normals)
    {
        Width = width;
        Height = height;
        Covered = covered;
        Points = points;
        Normals = normals;
    }

    /// <summary>Atlas width, texels.</summary>
    public int Width { get; }

    /// <summary>Atlas height, texels.</summary>
    public int Height { get; }

    /// <summary>Whether a triangle covers the texel [W * H].</summary>
    public bool[] Covered { get; }

    /// <summary>World point per texel [W * H * 3] (zeros where not covered).</summary>
    public float[] Points { get; }

    /// <summary>Unit normal per texel [W * H * 3] (zeros where not covered).</summary>
    public float[] Normals { get; }

    /// <summary>The world point of texel index <paramref name="t"/> (= y * W + x).</summary>
    public Vector3 Point(int t) => new(Points[3 * t], Points[3 * t + 1], Points[3 * t + 2]);

    /// <summary>The unit normal of texel index <paramref name="t"/>.</summary>
    public Vector3 Normal(int t) => new(Normals[3 * t], Normals[3 * t + 1], Normals[3 * t + 2]);

    /// <summary>Rasterizes the atlas of <paramref name="mesh"/> at <paramref name="width"/> x <paramref name="height"/>.</summary>
    /// <param name="mesh">World-space mesh, triangles matching <paramref name="uvTriangles"/> one to one.</param>
    /// <param name="vertexNormals">Unit vertex normals [V * 3].</param>
    /// <param name="uv">Texture coordinates [T * 2].</param>
    /// <param name="uvTriangles">Texture-coordinate indices per triangle [F * 3].</param>
    public static TexelSurface Build(TriangleMesh mesh, float[] vertexNormals, float[] uv, int[] uvTriangles, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(vertexNormals);
        if (uvTriangles.Length != mesh.Triangles.Length)
            throw new ArgumentException("Texture-coordinate triangles must correspond to the mesh triangles.", nameof(uvTriangles));
        var fragments = UvRasterizer.Rasterize(uv, uvTriangles, width, height);
        var points = fragments.Interpolate(mesh.Positions, 3, mesh.Triangles);
        var normals = fragments.Interpolate(vertexNormals, 3, mesh.Triangles);
        var covered = new bool[width * height];
        for (int t = 0; t < covered.Length; t++)
        {
            if (fragments.TriangleIds[t] < 0) continue;
            covered[t] = true;
            var n = new Vector3(normals[3 * t], normals[3 * t + 1], normals[3 * t + 2]);
            n = n.LengthSquared() > 1e-12f ? Vector3.Normalize(n) : Vector3.UnitZ;
            normals[3 * t] = n.X;
            normals[3 * t + 1] = n.Y;
            normals[3 * t + 2] = n.Z;
        }
        return new TexelSurface(width, height, covered, points, normals);
    }
}
