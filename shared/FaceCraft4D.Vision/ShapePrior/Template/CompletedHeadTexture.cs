using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The head's colour once the atlas is completed: at a surface point with texture coordinate (u, v) the portrait's
/// own observation where it sees the point (weight w_d from <see cref="ProjectiveHeadTexture.ObserveDirect"/>, full
/// resolution, so view 0 reproduces the portrait), the completed atlas elsewhere:
/// colour = w_d c_portrait + (1 - w_d) atlas(u, v). Thread-safe (read-only).
/// </summary>
public sealed class CompletedHeadTexture
{
    private readonly ProjectiveHeadTexture portrait;
    private readonly FloatImage? directScale;

    /// <summary>Combines the portrait's projection with a completed atlas (FLAME <c>vt</c> convention).</summary>
    /// <param name="portrait">The portrait's projection.</param>
    /// <param name="atlas">The completed atlas.</param>
    /// <param name="directScale">Optional factor on the portrait's direct weight per atlas texel (same layout as the atlas;
    /// <see cref="FramedSideBand"/>); null: 1.</param>
    public CompletedHeadTexture(ProjectiveHeadTexture portrait, RgbImage atlas, FloatImage? directScale = null)
    {
        this.portrait = portrait ?? throw new ArgumentNullException(nameof(portrait));
        Atlas = atlas ?? throw new ArgumentNullException(nameof(atlas));
        if (directScale is not null && (directScale.Width != atlas.Width || directScale.Height != atlas.Height))
            throw new ArgumentException("The direct weight's scale must have the atlas' size.", nameof(directScale));
        this.directScale = directScale;
    }

    /// <summary>The completed atlas.</summary>
    public RgbImage Atlas { get; }

    /// <summary>The colour at a surface point with unit normal <paramref name="normal"/> and texture coordinate (u, v).</summary>
    public Vector3 Colour(Vector3 point, Vector3 normal, float u, float v)
    {
        var (c, wd) = portrait.ObserveDirect(point, normal);
        var completed = Atlas.SampleBilinear(u * Atlas.Width, (1 - v) * Atlas.Height);
        if (directScale is not null) wd *= directScale.SampleBilinear(u * Atlas.Width, (1 - v) * Atlas.Height);
        return wd >= 1 ? c : wd * c + (1 - wd) * completed;
    }

    /// <summary>Bakes the colour into a <paramref name="size"/> x <paramref name="size"/> atlas (uncovered texels filled from the charts).</summary>
    public RgbImage Bake(TriangleMesh mesh, float[] vertexNormals, float[] uv, int[] uvTriangles, int size)
    {
        var surface = TexelSurface.Build(mesh, vertexNormals, uv, uvTriangles, size, size);
        var image = new RgbImage(size, size);
        Parallel.For(0, size, y =>
        {
            for (int x = 0; x < size; x++)
            {
                int t = y * size + x;
                if (!surface.Covered[t]) continue;
                image[x, y] = Colour(surface.Point(t), surface.Normal(t), (x + 0.5f) / size, 1 - (y + 0.5f) / size);
            }
        });
        return SmoothFill.Fill(image, surface.Covered, new bool[size * size], relaxIterations: 0);
    }

    /// <summary>Colour per vertex [V * 3], at the texture coordinate of the vertex's first corner.</summary>
    public float[] VertexColours(TriangleMesh mesh, float[] vertexNormals, float[] uv, int[] uvTriangles)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var uvOfVertex = new int[mesh.VertexCount];
        Array.Fill(uvOfVertex, -1);
        for (int k = 0; k < mesh.Triangles.Length; k++)
            if (uvOfVertex[mesh.Triangles[k]] < 0) uvOfVertex[mesh.Triangles[k]] = uvTriangles[k];
        var colours = new float[mesh.Positions.Length];
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var n = new Vector3(vertexNormals[3 * v], vertexNormals[3 * v + 1], vertexNormals[3 * v + 2]);
            int i = uvOfVertex[v];
            var c = i < 0 ? portrait.Colour(mesh.Position(v), n) : Colour(mesh.Position(v), n, uv[2 * i], uv[2 * i + 1]);
            colours[3 * v] = c.X;
            colours[3 * v + 1] = c.Y;
            colours[3 * v + 2] = c.Z;
        }
        return colours;
    }
}
