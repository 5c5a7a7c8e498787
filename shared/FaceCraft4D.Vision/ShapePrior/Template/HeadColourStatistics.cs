using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Skin, hair and neck colours sampled from the portrait crop, for the parts of the head the portrait does not
/// show. Regions are placed from the landmarks (s = inter-ocular distance): skin = medians of discs on both cheeks,
/// the nose bridge and the forehead; hair = the two-means cluster farther from the skin among foreground pixels
/// above the brows (kept when it holds at least 20 % of them and differs from the skin); neck = median of the
/// foreground below the chin.
/// </summary>
public static class HeadColourStatistics
{
    /// <summary>The distance (RGB, 0..1 per channel) from the neck sample's median within which a sample counts toward <see cref="HeadColours.NeckUniformity"/>.</summary>
    public const float NeckUniformRadius = 0.15f;

    /// <summary>Measures the colours; <paramref name="landmarks"/> in crop pixels (centres at +0.5).</summary>
    public static HeadColours Measure(RgbImage crop, FloatImage mask, float[] landmarks, double hairVariationMax)
    {
        ArgumentNullException.ThrowIfNull(crop);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(landmarks);
        Vector2 L(int i) => new(landmarks[2 * i], landmarks[2 * i + 1]);
        float s = (float)FlameLandmarkFitter.InterOcularDistance(landmarks);

        var skinSamples = new List<Vector3>();
        void Disc(Vector2 centre, float radius)
        {
            for (int y = (int)(centre.Y - radius); y <= (int)(centre.Y + radius); y++)
            for (int x = (int)(centre.X - radius); x <= (int)(centre.X + radius); x++)
            {
                if (x < 0 || y < 0 || x >= crop.Width || y >= crop.Height) continue;
                if (Vector2.Distance(new Vector2(x + 0.5f, y + 0.5f), centre) > radius || mask[x, y] < 0.5f) continue;
                skinSamples.Add(crop[x, y]);
            }
        }
        Disc(0.6f * L(31) + 0.4f * L(2), 0.15f * s);
        Disc(0.6f * L(35) + 0.4f * L(14), 0.15f * s);
        Disc(L(28), 0.08f * s);
        Disc(L(27) - new Vector2(0, 0.45f * s), 0.1f * s);
        var skin = skinSamples.Count > 0 ? Median(skinSamples) : new Vector3(0.8f, 0.65f, 0.55f);

        float browY = Enumerable.Range(17, 10).Min(i => L(i).Y);
        float left = L(0).X - 0.3f * s, right = L(16).X + 0.3f * s;
        var hairRegion = new List<Vector3>();
        for (int y = 0; y < Math.Min(crop.Height, (int)(browY - 0.35f * s)); y++)
        for (int x = Math.Max(0, (int)left); x < Math.Min(crop.Width, (int)right); x++)
            if (mask[x, y] > 0.8f) hairRegion.Add(crop[x, y]);
        var (hair, variation, found) = HairCluster(hairRegion, skin, hairVariationMax);

        var neckSamples = new List<Vector3>();
        var chin = L(8);
        for (int y = (int)(chin.Y + 0.25f * s); y < Math.Min(crop.Height, (int)(chin.Y + 0.9f * s)); y++)
        for (int x = Math.Max(0, (int)(chin.X - 0.35f * s)); x < Math.Min(crop.Width, (int)(chin.X + 0.35f * s)); x++)
            if (mask[x, y] > 0.8f) neckSamples.Add(crop[x, y]);
        var neck = neckSamples.Count >= 20 ? Median(neckSamples) : skin;
        float uniformity = neckSamples.Count >= 20 ? Uniformity(neckSamples, neck, NeckUniformRadius) : 1;
        bool sides = found && SidesAreHair(crop, mask, landmarks, s, skin, hair);
        return new HeadColours(skin, hair, variation, neck, found, sides, uniformity);
    }

    /// <summary>
    /// Whether the portrait shows hair at the sides of the face: foreground pixels just inside the silhouette,
    /// between brow and nose-tip height, outside the jaw contour, mostly nearer the hair colour than the skin's.
    /// </summary>
    private static bool SidesAreHair(RgbImage crop, FloatImage mask, float[] landmarks, float s, Vector3 skin, Vector3 hair)
    {
        int hairVotes = 0, votes = 0;
        int top = (int)Enumerable.Range(17, 10).Average(i => landmarks[2 * i + 1]);
        int bottom = (int)landmarks[2 * 30 + 1];
        for (int y = Math.Max(0, top); y <= Math.Min(crop.Height - 1, bottom); y++)
        {
            foreach (var (from, step) in new[] { ((int)(landmarks[0] - 0.1f * s), -1), ((int)(landmarks[2 * 16] + 0.1f * s), 1) })
            {
                // Walk outward from the jaw contour over the foreground, at most half an eye distance.
                for (int k = 0, x = from; k < (int)(0.5f * s); k++, x += step)
                {
                    if (x < 0 || x >= crop.Width || mask[x, y] < 0.8f) break;
                    votes++;
                    if (Vector3.DistanceSquared(crop[x, y], hair) < Vector3.DistanceSquared(crop[x, y], skin)) hairVotes++;
                }
            }
        }
        return votes >= 20 && hairVotes > 0.5 * votes;
    }

    private static (Vector3 Colour, float Variation, bool Found) HairCluster(List<Vector3> samples, Vector3 skin, double variationMax)
    {
        if (samples.Count < 30) return (skin, 0.05f, false);
        // Two-means, started from the sample nearest to and the sample farthest from the skin colour.
        var a = samples.MinBy(c => Vector3.DistanceSquared(c, skin));
        var b = samples.MaxBy(c => Vector3.DistanceSquared(c, skin));
        var labels = new bool[samples.Count];
        for (int it = 0; it < 12; it++)
        {
            Vector3 sa = Vector3.Zero, sb = Vector3.Zero;
            int na = 0, nb = 0;
            for (int i = 0; i < samples.Count; i++)
            {
                labels[i] = Vector3.DistanceSquared(samples[i], b) < Vector3.DistanceSquared(samples[i], a);
                if (labels[i]) { sb += samples[i]; nb++; } else { sa += samples[i]; na++; }
            }
            if (na > 0) a = sa / na;
            if (nb > 0) b = sb / nb;
        }
        var far = Vector3.DistanceSquared(a, skin) > Vector3.DistanceSquared(b, skin);
        var cluster = samples.Where((_, i) => labels[i] != far).ToList();
        var colour = cluster.Count > 0 ? Median(cluster) : skin;
        bool found = cluster.Count >= 0.2 * samples.Count && Vector3.Distance(colour, skin) > 0.08f;
        if (!found) return (skin, 0.05f, false);
        var luminance = cluster.Select(Luminance).ToArray();
        double mean = luminance.Average();
        double spread = Math.Sqrt(luminance.Average(l => (l - mean) * (l - mean))) / Math.Max(mean, 0.05);
        return (colour, (float)Math.Clamp(spread, 0.05, variationMax), true);
    }

    /// <summary>Share of <paramref name="samples"/> within <paramref name="radius"/> of <paramref name="centre"/>.</summary>
    public static float Uniformity(IReadOnlyList<Vector3> samples, Vector3 centre, float radius)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return 1;
        int near = 0;
        foreach (var c in samples) if (Vector3.Distance(c, centre) <= radius) near++;
        return (float)near / samples.Count;
    }

    private static double Luminance(Vector3 c) => 0.2126 * c.X + 0.7152 * c.Y + 0.0722 * c.Z;

    private static Vector3 Median(List<Vector3> samples)
    {
        float M(Func<Vector3, float> channel)
        {
            var v = samples.Select(channel).OrderBy(x => x).ToArray();
            return v[v.Length / 2];
        }
        return new Vector3(M(c => c.X), M(c => c.Y), M(c => c.Z));
    }
}
