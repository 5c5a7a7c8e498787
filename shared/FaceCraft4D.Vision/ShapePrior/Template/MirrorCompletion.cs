using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Texture-space symmetry: where a texel is unseen or seen at a grazing angle (weight w &lt; 1), its mirror texel
/// across the symmetry plane (<see cref="SymmetricTexelMap"/>) lends its own observation with weight
/// w_m = s x w(mirror) (s = <see cref="HeadTextureOptions.SymmetryWeight"/>):
/// c' = (w c + (1 - w) w_m c_m) / w', w' = w + (1 - w) w_m. Only first-hand observations are mirrored (one pass
/// over the input), so the result does not depend on the texel order.
/// </summary>
public static class MirrorCompletion
{
    /// <summary>The observation completed by its mirror image.</summary>
    public static TexelObservation Fill(TexelObservation observed, SymmetricTexelMap map, double symmetryWeight)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(map);
        int count = observed.Width * observed.Height;
        if (map.Mirror.Length != count) throw new ArgumentException("The mirror map must have one entry per texel.", nameof(map));
        var colour = observed.Colour.Clone();
        var weight = observed.Weight.Clone();
        float s = (float)Math.Clamp(symmetryWeight, 0, 1);
        for (int t = 0; t < count; t++)
        {
            float w = observed.Weight.Data[t];
            int m = map.Mirror[t];
            if (w >= 1 || m < 0) continue;
            float wm = s * observed.Weight.Data[m];
            if (wm <= 0) continue;
            float total = w + (1 - w) * wm;
            for (int k = 0; k < 3; k++)
                colour.Data[3 * t + k] = (w * observed.Colour.Data[3 * t + k] + (1 - w) * wm * observed.Colour.Data[3 * m + k]) / total;
            weight.Data[t] = total;
        }
        return new TexelObservation(colour, weight);
    }
}
