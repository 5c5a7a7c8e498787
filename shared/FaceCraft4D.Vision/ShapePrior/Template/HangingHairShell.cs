using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>The mesh with the hanging hair's shell (<see cref="HangingHairShell.Grow"/>).</summary>
/// <param name="Mesh">The widened mesh.</param>
/// <param name="Offsets">Per-vertex displacement added (V * 3, metres).</param>
/// <param name="Moved">Vertices moved by more than a millimetre.</param>
/// <param name="MaxPush">Largest horizontal displacement (metres).</param>
public sealed record HangingHair(TriangleMesh Mesh, float[] Offsets, int Moved, double MaxPush);

/// <summary>
/// A grown hair dome (<see cref="HairVolumeFitter"/>) ends in a rim over the neck: behind the ears the FLAME skull narrows
/// into the nape below its widest ring, and the dome with it. Hair that hangs to the jaw or lower (a bob, long hair) falls
/// outside the neck instead. Per azimuth sector around the vertical axis through the orbit pivot, this finds the dome's
/// widest ring (the largest horizontal distance from the axis among the hair vertices behind the ears) and moves every vertex
/// behind the ears between that ring's height and <c>endHeight</c> horizontally outward to the shell's radius there: the
/// ring's radius, narrowing linearly to <see cref="HangingHairOptions.EndRadiusShare"/> of it at the end height, then back to
/// the neck over <see cref="HangingHairOptions.EndBlend"/> below it. Vertices already outside the shell stay; the face
/// (in front of the ears) and everything above the ring stay.
/// </summary>
public static class HangingHairShell
{
    /// <summary>Grows the shell.</summary>
    /// <param name="mesh">The head with its hair dome (model frame, +y up, face toward +z).</param>
    /// <param name="regions">Hair weights and where behind the ears is.</param>
    /// <param name="pivot">The orbit pivot: the shell is measured around the vertical axis through it.</param>
    /// <param name="endHeight">Height (model y, metres) of the hair's end.</param>
    /// <param name="options">Shell settings.</param>
    public static HangingHair Grow(TriangleMesh mesh, HeadRegions regions, Vector3 pivot, float endHeight, HangingHairOptions options)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(options);
        int sectors = Math.Max(4, options.Sectors);
        var ringRadius = new float[sectors];
        var ringHeight = new float[sectors];
        Array.Fill(ringHeight, float.NaN);
        int Sector(Vector3 p)
        {
            double a = Math.Atan2(p.X - pivot.X, p.Z - pivot.Z); // -pi..pi, 0 = toward the face
            return Math.Clamp((int)((a + Math.PI) / (2 * Math.PI) * sectors), 0, sectors - 1);
        }
        static float Radius(Vector3 p, Vector3 c) => MathF.Sqrt((p.X - c.X) * (p.X - c.X) + (p.Z - c.Z) * (p.Z - c.Z));

        // The dome's widest ring per sector, among the hair (weight > 0.5) behind the ears, above the hair's end.
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var p = mesh.Position(v);
            if (p.Y <= endHeight || regions.BehindEars(p) < 0.5f || regions.Weights(p).Hair < 0.5f) continue;
            int s = Sector(p);
            float r = Radius(p, pivot);
            if (r > ringRadius[s])
            {
                ringRadius[s] = r;
                ringHeight[s] = p.Y;
            }
        }

        var positions = (float[])mesh.Positions.Clone();
        var offsets = new float[positions.Length];
        float share = (float)Math.Clamp(options.EndRadiusShare, 0, 1.5);
        float blend = (float)Math.Max(1e-4, options.EndBlend);
        int moved = 0;
        double maxPush = 0;
        for (int v = 0; v < mesh.VertexCount; v++)
        {
            var p = mesh.Position(v);
            int s = Sector(p);
            float top = ringHeight[s];
            if (float.IsNaN(top) || p.Y >= top || top <= endHeight) continue;
            float behind = regions.BehindEars(p);
            if (behind <= 0) continue;
            // Down the shell from the ring (t = 0) to the hair's end (t = 1); below the end back to the neck over EndBlend.
            float t = Math.Clamp((top - p.Y) / (top - endHeight), 0, 1);
            float fade = p.Y >= endHeight ? 1 : HeadRegions.SmoothStep(1 - (endHeight - p.Y) / blend);
            float target = ringRadius[s] * (1 - (1 - share) * t);
            float r = Radius(p, pivot);
            if (r < 1e-6f || target <= r) continue;
            float w = behind * fade;
            if (w <= 0) continue;
            float scale = (r + w * (target - r)) / r;
            float dx = (p.X - pivot.X) * (scale - 1), dz = (p.Z - pivot.Z) * (scale - 1);
            positions[3 * v] += dx;
            positions[3 * v + 2] += dz;
            offsets[3 * v] = dx;
            offsets[3 * v + 2] = dz;
            double push = Math.Sqrt(dx * dx + dz * dz);
            if (push > 1e-3) moved++;
            maxPush = Math.Max(maxPush, push);
        }
        return new HangingHair(new TriangleMesh(positions, mesh.Triangles), offsets, moved, maxPush);
    }
}
