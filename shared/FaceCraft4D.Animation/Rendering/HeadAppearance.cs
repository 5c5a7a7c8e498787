using System.Numerics;
using FaceCraft4D.Animation.Mouth;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Animation.Rendering;

/// <summary>
/// The colour of any point of the animated head, given by its triangle and barycentric weights: head-surface triangles
/// sample the UV texture bilinearly (FLAME <c>vt</c>/<c>ft</c>: u right, v up; texel (x, y) at u = (x + 0.5) / W,
/// v = 1 - (y + 0.5) / H), teeth and cavity triangles get the <see cref="MouthPalette"/> colours darkened by the
/// interpolated depth fraction. Shared by the frame renderer and the tracker's Gaussians. Thread-safe (read-only).
/// </summary>
public sealed class HeadAppearance
{
    private readonly float[] uv;
    private readonly int[] uvFaces;
    private readonly MouthInteriorLayout layout;
    private readonly MouthPalette palette;
    private readonly int[] faces;

    /// <summary>Creates the appearance.</summary>
    /// <param name="texture">UV texture of the head surface, or null to use <paramref name="vertexColours"/>.</param>
    /// <param name="uv">Texture coordinates [T * 2].</param>
    /// <param name="uvFaces">Texture-coordinate indices per triangle [F' * 3] (cavity triangles may point anywhere).</param>
    /// <param name="faces">Vertex indices per triangle [F' * 3].</param>
    /// <param name="layout">Materials and depth fractions.</param>
    /// <param name="palette">Mouth colours.</param>
    /// <param name="vertexColours">Per-vertex colours [V * 3] for models without texture coordinates.</param>
    public HeadAppearance(RgbImage? texture, float[] uv, int[] uvFaces, int[] faces, MouthInteriorLayout layout, MouthPalette? palette = null,
        float[]? vertexColours = null)
    {
        if (texture is null && vertexColours is null) throw new ArgumentException("A texture or vertex colours are needed.");
        Texture = texture;
        VertexColours = vertexColours;
        this.uv = uv ?? throw new ArgumentNullException(nameof(uv));
        this.uvFaces = uvFaces ?? throw new ArgumentNullException(nameof(uvFaces));
        this.faces = faces ?? throw new ArgumentNullException(nameof(faces));
        this.layout = layout ?? throw new ArgumentNullException(nameof(layout));
        this.palette = palette ?? new MouthPalette();
        if (uvFaces.Length != faces.Length || layout.Materials.Length * 3 != faces.Length)
            throw new ArgumentException("Faces, texture faces and materials must describe the same triangles.");
    }

    /// <summary>The head-surface texture (null: vertex colours).</summary>
    public RgbImage? Texture { get; }

    /// <summary>Per-vertex colours [V * 3] used when there is no texture.</summary>
    public float[]? VertexColours { get; }

    /// <summary>Triangles F'.</summary>
    public int TriangleCount => faces.Length / 3;

    /// <summary>The material of triangle <paramref name="face"/>.</summary>
    public MouthMaterial MaterialOf(int face) => layout.Materials[face];

    /// <summary>Texture coordinate (u, v) of a point of a head-surface triangle.</summary>
    public (float U, float V) UvAt(int face, float b0, float b1, float b2)
    {
        int a = uvFaces[3 * face], b = uvFaces[3 * face + 1], c = uvFaces[3 * face + 2];
        return (b0 * uv[2 * a] + b1 * uv[2 * b] + b2 * uv[2 * c], b0 * uv[2 * a + 1] + b1 * uv[2 * b + 1] + b2 * uv[2 * c + 1]);
    }

    /// <summary>The colour (sRGB in [0, 1]) of the point with weights (b0, b1, b2) in triangle <paramref name="face"/>.</summary>
    public Vector3 Colour(int face, float b0, float b1, float b2)
    {
        var material = layout.Materials[face];
        if (material == MouthMaterial.Skin)
        {
            if (Texture is not null)
            {
                var (u, v) = UvAt(face, b0, b1, b2);
                return Texture.SampleBilinear(u * Texture.Width, (1 - v) * Texture.Height);
            }
            var vc = VertexColours!;
            int ia = 3 * faces[3 * face], ib = 3 * faces[3 * face + 1], ic = 3 * faces[3 * face + 2];
            return new Vector3(
                b0 * vc[ia] + b1 * vc[ib] + b2 * vc[ic],
                b0 * vc[ia + 1] + b1 * vc[ib + 1] + b2 * vc[ic + 1],
                b0 * vc[ia + 2] + b1 * vc[ib + 2] + b2 * vc[ic + 2]);
        }
        var d = layout.VertexDepth;
        float depth = b0 * d[faces[3 * face]] + b1 * d[faces[3 * face + 1]] + b2 * d[faces[3 * face + 2]];
        return material switch
        {
            MouthMaterial.Teeth => MouthPalette.Blend(palette.TeethFront, palette.TeethBack, depth),
            MouthMaterial.Tongue => MouthPalette.Blend(palette.TongueFront, palette.TongueBack, depth),
            _ => MouthPalette.Blend(palette.WallFront, palette.WallBack, depth),
        };
    }
}
