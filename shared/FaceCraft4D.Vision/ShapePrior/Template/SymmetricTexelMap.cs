using System.Numerics;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// For every covered texel, the texel whose surface point is the mirror image of its own across FLAME's symmetry
/// plane x = 0 (point (-x, y, z), normal (-n_x, n_y, n_z)); -1 where no texel lies within
/// <see cref="MaxDistance"/>. Found by nearest-neighbour search over the texels' world points in a uniform grid,
/// among texels whose normal agrees with the mirrored normal (so an eyeball or the inside of the mouth is never the
/// mirror of the skin in front of it). Works for any UV layout (FLAME's or the procedural head's).
/// </summary>
public sealed class SymmetricTexelMap
{
    private SymmetricTexelMap(int[] mirror) => Mirror = mirror;

    /// <summary>Largest accepted distance between the mirrored point and its texel, metres.</summary>
    public const float MaxDistance = 0.006f;

    /// <summary>Mirror texel index per texel index [W * H] (-1: none or not covered).</summary>
    public int[] Mirror { get; }

    /// <summary>Builds the map from explicit indices (tests, or layouts whose mirror is known).</summary>
    public static SymmetricTexelMap FromIndices(int[] mirror) => new(mirror ?? throw new ArgumentNullException(nameof(mirror)));

    /// <summary>Searches the mirror texel of every covered texel of <paramref name="surface"/>.</summary>
    public static SymmetricTexelMap Build(TexelSurface surface, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(surface);
        const float cell = MaxDistance;
        var grid = new Dictionary<(int, int, int), List<int>>();
        (int, int, int) Key(Vector3 p) => ((int)MathF.Floor(p.X / cell), (int)MathF.Floor(p.Y / cell), (int)MathF.Floor(p.Z / cell));
        int count = surface.Width * surface.Height;
        for (int t = 0; t < count; t++)
        {
            if (!surface.Covered[t]) continue;
            var key = Key(surface.Point(t));
            if (!grid.TryGetValue(key, out var list)) grid[key] = list = new List<int>();
            list.Add(t);
        }
        var mirror = new int[count];
        Array.Fill(mirror, -1);
        Parallel.For(0, surface.Height, new ParallelOptions { CancellationToken = ct }, y =>
        {
            for (int x = 0; x < surface.Width; x++)
            {
                int t = y * surface.Width + x;
                if (!surface.Covered[t]) continue;
                var p = surface.Point(t);
                var n = surface.Normal(t);
                var q = new Vector3(-p.X, p.Y, p.Z);
                var m = new Vector3(-n.X, n.Y, n.Z);
                var (cx, cy, cz) = Key(q);
                float best = MaxDistance * MaxDistance;
                int found = -1;
                for (int dz = -1; dz <= 1; dz++)
                for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    if (!grid.TryGetValue((cx + dx, cy + dy, cz + dz), out var list)) continue;
                    foreach (int k in list)
                    {
                        float d = Vector3.DistanceSquared(surface.Point(k), q);
                        if (d >= best || Vector3.Dot(surface.Normal(k), m) < 0.5f) continue;
                        best = d;
                        found = k;
                    }
                }
                mirror[t] = found;
            }
        });
        return new SymmetricTexelMap(mirror);
    }
}
