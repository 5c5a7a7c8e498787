using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>The hair volume found by <see cref="HairVolumeFitter"/>.</summary>
/// <param name="Mesh">The mesh with the hair region grown.</param>
/// <param name="Offsets">Per-vertex displacement added to the model's vertices (V * 3, metres).</param>
/// <param name="LateralGrowth">Relative growth across (x) and front-back (z).</param>
/// <param name="VerticalGrowth">Relative growth upward (y).</param>
/// <param name="SilhouetteIoU">Intersection over union of the head's and the portrait's silhouettes above the mouth.</param>
/// <param name="InitialIoU">The same before growing.</param>
public sealed record HairVolume(TriangleMesh Mesh, float[] Offsets, double LateralGrowth, double VerticalGrowth, double SilhouetteIoU, double InitialIoU);

/// <summary>
/// A FLAME head is bald; portraits have hair. This grows the hair region of the mesh (weights from
/// <see cref="HeadRegions"/>, which are 0 on the face) away from the orbit pivot c:
/// p' = c + (p - c) * (1 + w_hair(p) * (g_xz, g_y, g_xz)), choosing the lateral and vertical growth by a grid
/// search that maximises the intersection over union between the head's silhouette seen by the reference camera
/// and the portrait's foreground mask, counted above the mouth (below it the mask shows the body).
/// </summary>
public static class HairVolumeFitter
{
    /// <summary>Finds the growth; returns the unchanged mesh when disabled.</summary>
    /// <param name="mesh">The fitted head's mesh.</param>
    /// <param name="regions">Hair weights.</param>
    /// <param name="pivot">Centre of the growth.</param>
    /// <param name="reference">The portrait's camera.</param>
    /// <param name="mask">The portrait's foreground mask (any resolution with the camera's aspect).</param>
    /// <param name="mouthRow">Image row (in <paramref name="reference"/> pixels) of the mouth: rows below it are ignored.</param>
    /// <param name="options">Search settings.</param>
    public static HairVolume Fit(TriangleMesh mesh, HeadRegions regions, Vector3 pivot, Camera reference, FloatImage mask, double mouthRow, HairVolumeOptions options)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(options);
        var hair = new float[mesh.VertexCount];
        for (int v = 0; v < mesh.VertexCount; v++) hair[v] = regions.Weights(mesh.Position(v)).Hair;
        int size = options.Resolution;
        var camera = reference.Resized(size, size);
        var target = mask.Resize(size, size);
        int rows = Math.Clamp((int)(mouthRow * size / reference.Height), 1, size);

        double Score(double lateral, double vertical) => IoU(MeshRasterizer.Rasterize(Grow(mesh, hair, pivot, lateral, vertical), camera), target, rows);
        double initial = Score(0, 0);
        if (!options.Enabled) return new HairVolume(mesh, new float[mesh.Positions.Length], 0, 0, initial, initial);

        double best = initial, bestLateral = 0, bestVertical = 0;
        int steps = Math.Max(2, options.Steps);
        for (int i = 0; i < steps; i++)
        for (int j = 0; j < steps; j++)
        {
            double lateral = options.MaxGrowth * i / (steps - 1), vertical = options.MaxGrowth * j / (steps - 1);
            double score = Score(lateral, vertical);
            if (score > best + 1e-9)
            {
                best = score;
                bestLateral = lateral;
                bestVertical = vertical;
            }
        }
        var grown = Grow(mesh, hair, pivot, bestLateral, bestVertical);
        var offsets = new float[mesh.Positions.Length];
        for (int k = 0; k < offsets.Length; k++) offsets[k] = grown.Positions[k] - mesh.Positions[k];
        return new HairVolume(grown, offsets, bestLateral, bestVertical, best, initial);
    }

    private static TriangleMesh Grow(TriangleMesh mesh, float[] hair, Vector3 pivot, double lateral, double vertical)
    {
        var positions = new float[mesh.Positions.Length];
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var d = mesh.Position(v) - pivot;
            float w = hair[v];
            var p = pivot + new Vector3(d.X * (1 + w * (float)lateral), d.Y * (1 + w * (float)vertical), d.Z * (1 + w * (float)lateral));
            positions[3 * v] = p.X;
            positions[3 * v + 1] = p.Y;
            positions[3 * v + 2] = p.Z;
        }
        return new TriangleMesh(positions, mesh.Triangles);
    }

    private static double IoU(RasterFragments fragments, FloatImage mask, int rows)
    {
        int inter = 0, union = 0;
        for (int y = 0; y < rows; y++)
        for (int x = 0; x < mask.Width; x++)
        {
            bool a = fragments.IsCovered(x, y), b = mask[x, y] > 0.5f;
            if (a && b) inter++;
            if (a || b) union++;
        }
        return union == 0 ? 0 : (double)inter / union;
    }
}
