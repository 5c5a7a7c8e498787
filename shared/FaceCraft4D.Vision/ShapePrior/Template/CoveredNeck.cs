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

    /// <summary>Whether the portrait's neck sample is clothing, not skin (at least <see cref="HeadTextureOptions.NeckClothingMinDistance"/> from the skin colour).</summary>
    public static bool IsCovered(HeadColours colours, HeadTextureOptions options)
    {
        ArgumentNullException.ThrowIfNull(colours);
        ArgumentNullException.ThrowIfNull(options);
        return Vector3.Distance(colours.Neck, colours.Skin) >= options.NeckClothingMinDistance;
    }

    /// <summary>Whether a colour is nearer the clothing (the neck sample) than the skin.</summary>
    public static bool IsClothing(Vector3 colour, HeadColours colours)
    {
        ArgumentNullException.ThrowIfNull(colours);
        return Vector3.DistanceSquared(colour, colours.Neck) < Vector3.DistanceSquared(colour, colours.Skin);
    }
}
