using System.Numerics;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Deterministic 3D value noise in [-1, 1] (smooth trilinear interpolation of hashed lattice values, two octaves),
/// stretched along y so it reads as strands on the unseen hair.
/// </summary>
public sealed class HairNoise(int seed, double across, double along)
{
    /// <summary>Noise at a world point.</summary>
    public float At(Vector3 p)
    {
        double x = p.X * across, y = p.Y * along, z = p.Z * across;
        return (float)(0.7 * Octave(x, y, z, 0) + 0.3 * Octave(2.1 * x, 2.1 * y, 2.1 * z, 1));
    }

    private double Octave(double x, double y, double z, int octave)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        double fx = Smooth(x - x0), fy = Smooth(y - y0), fz = Smooth(z - z0);
        double Lerp(double a, double b, double t) => a + (b - a) * t;
        double V(int dx, int dy, int dz) => Hash(x0 + dx, y0 + dy, z0 + dz, octave);
        return Lerp(
            Lerp(Lerp(V(0, 0, 0), V(1, 0, 0), fx), Lerp(V(0, 1, 0), V(1, 1, 0), fx), fy),
            Lerp(Lerp(V(0, 0, 1), V(1, 0, 1), fx), Lerp(V(0, 1, 1), V(1, 1, 1), fx), fy),
            fz);
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);

    private double Hash(int x, int y, int z, int octave)
    {
        unchecked
        {
            uint h = (uint)seed * 0x9E3779B1u ^ (uint)x * 0x85EBCA6Bu ^ (uint)y * 0xC2B2AE35u ^ (uint)z * 0x27D4EB2Fu ^ (uint)octave * 0x165667B1u;
            h ^= h >> 15;
            h *= 0x2C1B3C6Du;
            h ^= h >> 12;
            h *= 0x297A2D39u;
            h ^= h >> 15;
            return h / (double)uint.MaxValue * 2 - 1;
        }
    }
}
