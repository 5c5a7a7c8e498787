using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>What <see cref="FramedSideBand.Apply"/> found and did.</summary>
/// <param name="DarknessLeft">The band's mean rendered luminance on the side x &gt; 0 (the subject's left) as a share of the way from the
/// skin's luminance (0) to the hair's (1).</param>
/// <param name="DarknessRight">The same on the side x &lt; 0 (the subject's right).</param>
/// <param name="MirroredSide">+1: the left side's band was copied onto the right; -1: the right's onto the left; 0: neither.</param>
/// <param name="Texels">Band texels (weight &gt; 0.5) on the side that took the other's band.</param>
/// <param name="DirectScale">Per texel, the factor on the portrait's direct weight (1 - band on the side that took the other's
/// band, 1 elsewhere); null when neither side did.</param>
public sealed record FramedSideBandResult(double DarknessLeft, double DarknessRight, int MirroredSide, int Texels, FloatImage? DirectScale = null);

/// <summary>
/// The strip between cheek and ear (<see cref="HeadRegions.CheekToEarBand"/>) taken from the side whose strip the portrait
/// shows framed by hair (docs/side-view-diagnosis.md, s26/s27): a frontal portrait sees that strip only at grazing angles,
/// so on each side it is what the portrait shows there (direct, weight w_d) over the completion. When one side's strip,
/// as rendered (w_d c_portrait + (1 - w_d) atlas), is darker on average, by at least
/// <see cref="HeadTextureOptions.FramedSideBandMinDifference"/> of the way from the skin's luminance to the hair's
/// (<see cref="HeadColours"/>), than the other's, the other side's atlas takes the framing side's rendered colour at the mirror texel, with
/// weight = the band's: atlas' = lerp(atlas, rendered(mirror), band), and the portrait's own observation there loses the
/// band's share of its weight (w_d' = (1 - band) w_d, <see cref="FramedSideBandResult.DirectScale"/>): the strip's pale
/// temple is mostly direct observation at grazing angles, so without this the copy would hardly show. Symmetric portraits
/// (both sides within the difference) are left as they are.
/// </summary>
public static class FramedSideBand
{
    /// <summary>Replaces, in place, the band of the less hair-framed side of <paramref name="atlas"/> by the other side's.</summary>
    /// <param name="atlas">Completed atlas [W x H], changed in place.</param>
    /// <param name="direct">The portrait's direct observation per texel (colour and weight).</param>
    /// <param name="surface">Surface point per texel.</param>
    /// <param name="map">Mirror texel per texel.</param>
    /// <param name="regions">The head's regions (the band).</param>
    /// <param name="colours">Hair and skin colours.</param>
    /// <param name="minDifference">Smallest difference of the two sides' hair shares that makes one side the framing side.</param>
    public static FramedSideBandResult Apply(RgbImage atlas, TexelObservation direct, TexelSurface surface, SymmetricTexelMap map,
        HeadRegions regions, HeadColours colours, double minDifference)
    {
        ArgumentNullException.ThrowIfNull(atlas);
        ArgumentNullException.ThrowIfNull(direct);
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(colours);
        int w = atlas.Width, count = w * atlas.Height;
        if (!colours.HairFound) return new FramedSideBandResult(0, 0, 0, 0);
        var band = new float[count];
        var rendered = new Vector3[count];
        double darkLeft = 0, allLeft = 0, darkRight = 0, allRight = 0;
        float hairLuminance = Luminance(colours.Hair), skinLuminance = Luminance(colours.Skin);
        float span = skinLuminance - hairLuminance;
        if (span <= 1e-3f) return new FramedSideBandResult(0, 0, 0, 0);
        for (int t = 0; t < count; t++)
        {
            if (!surface.Covered[t]) continue;
            int x = t % w, y = t / w;
            float wd = direct.Weight.Data[t];
            rendered[t] = wd * direct.Colour[x, y] + (1 - wd) * atlas[x, y];
            var p = surface.Point(t);
            band[t] = regions.CheekToEarBand(p);
            if (band[t] <= 0) continue;
            double darkness = (skinLuminance - Luminance(rendered[t])) / span;
            if (p.X > 0) { allLeft += band[t]; darkLeft += band[t] * darkness; }
            else { allRight += band[t]; darkRight += band[t] * darkness; }
        }
        double left = allLeft > 0 ? darkLeft / allLeft : 0, right = allRight > 0 ? darkRight / allRight : 0;
        int from = left - right >= minDifference ? 1 : right - left >= minDifference ? -1 : 0;
        if (from == 0) return new FramedSideBandResult(left, right, 0, 0);
        int texels = 0;
        var scale = new FloatImage(w, atlas.Height);
        Array.Fill(scale.Data, 1f);
        for (int t = 0; t < count; t++)
        {
            int m = map.Mirror[t];
            if (band[t] <= 0 || m < 0 || !surface.Covered[m] || Math.Sign(surface.Points[3 * t]) != -from) continue;
            int x = t % w, y = t / w;
            atlas[x, y] = Vector3.Lerp(atlas[x, y], rendered[m], band[t]);
            scale.Data[t] = 1 - band[t];
            if (band[t] > 0.5f) texels++;
        }
        return new FramedSideBandResult(left, right, from, texels, scale);
    }

    private static float Luminance(Vector3 c) => 0.299f * c.X + 0.587f * c.Y + 0.114f * c.Z;
}
