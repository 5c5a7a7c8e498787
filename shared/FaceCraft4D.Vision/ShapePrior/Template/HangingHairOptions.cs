namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Hair that hangs outside the neck (<see cref="HangingHairShell"/>): where the portrait's hair reaches down beside the
/// face (<see cref="PortraitHairLength"/>), the head behind the ears is widened below the hair dome's widest ring to the
/// dome's radius, down to the hair's end, instead of the dome ending in a rim over the bare neck. Bind from
/// <c>Fc4d:ShapePrior:Template:HangingHair</c>. Off by default.
/// </summary>
public sealed class HangingHairOptions
{
    /// <summary>Continue the hair shell down to the hair's end outside the neck.</summary>
    public bool Enabled { get; set; }

    /// <summary>The shell's radius at the hair's end as a share of the dome's widest radius (1: straight down; a bob's ends curve in).</summary>
    public double EndRadiusShare { get; set; } = 0.92;

    /// <summary>Azimuth sectors around the vertical axis through the orbit pivot in which the dome's widest ring is found.</summary>
    public int Sectors { get; set; } = 36;

    /// <summary>Below the hair's end the shell returns to the neck over this height (metres).</summary>
    public double EndBlend { get; set; } = 0.015;
}
