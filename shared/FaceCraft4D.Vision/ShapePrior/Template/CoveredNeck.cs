using System.Numerics;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Whether the portrait's neck is covered by clothing (<see cref="HeadTextureOptions.NeckFromClothing"/>): the foreground
/// sampled under the chin (<see cref="HeadColours.Neck"/>) lies at least <see cref="HeadTextureOptions.NeckClothingMinDistance"/>
/// from the skin colour. Then only clothing-coloured texels (nearer the neck sample than the skin) seed the neck extension.
/// </summary>
public static class CoveredNeck
{
    /// <summary>Whether the switch is on and the portrait's neck sample is clothing, not skin.</summary>
    public static bool Applies(HeadColours colours, HeadTextureOptions options)
    {
        ArgumentNullException.ThrowIfNull(colours);
        ArgumentNullException.ThrowIfNull(options);
        return options.NeckFromClothing && IsCovered(colours, options);
    }

    /// <summary>
    /// Whether the portrait's neck sample is clothing, not skin: at least <see cref="HeadTextureOptions.NeckClothingMinDistance"/>
    /// from the skin colour, and one colour (<see cref="HeadColours.NeckUniformity"/> at least
    /// <see cref="HeadTextureOptions.NeckClothingMinUniformity"/>; 0: s30's test, the distance alone). A turtleneck is one
    /// colour under the chin; a mixture of shaded skin, a white collar and a dark tie has a median far from the skin too,
    /// but its samples spread (docs/back-view-diagnosis.md, s31).
    /// </summary>
    public static bool IsCovered(HeadColours colours, HeadTextureOptions options)
    {
        ArgumentNullException.ThrowIfNull(colours);
        ArgumentNullException.ThrowIfNull(options);
        return Vector3.Distance(colours.Neck, colours.Skin) >= options.NeckClothingMinDistance
            && colours.NeckUniformity >= options.NeckClothingMinUniformity;
    }

    /// <summary>The distance between the rg chromaticities (r / (r + g + b), g / (r + g + b)) of the neck sample and the skin: shaded skin keeps its hue (small), a grey or coloured garment moves it; unstable for near-black samples.</summary>
    public static float ChromaDistance(HeadColours colours)
    {
        ArgumentNullException.ThrowIfNull(colours);
        return Vector2.Distance(Chromaticity(colours.Neck), Chromaticity(colours.Skin));
    }

    private static Vector2 Chromaticity(Vector3 c)
    {
        float sum = Math.Max(c.X + c.Y + c.Z, 1e-3f);
        return new Vector2(c.X / sum, c.Y / sum);
    }

    /// <summary>Whether a colour is nearer the clothing (the neck sample) than the skin.</summary>
    public static bool IsClothing(Vector3 colour, HeadColours colours)
    {
        ArgumentNullException.ThrowIfNull(colours);
        return Vector3.DistanceSquared(colour, colours.Neck) < Vector3.DistanceSquared(colour, colours.Skin);
    }
}
