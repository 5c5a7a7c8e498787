namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The unseen hair's lower edge at the sides and back from where the portrait's hair ends beside the face
/// (<see cref="PortraitHairLength"/>) instead of the mouth line (<see cref="HeadTextureOptions.NapeOffset"/>).
/// Bind from <c>Fc4d:ShapePrior:Template:HairLength</c>. Off by default.
/// </summary>
public sealed class HairLengthOptions
{
    /// <summary>Move the nape line (<see cref="HeadRegions"/>) to the height where the portrait's hair ends beside the face.</summary>
    public bool Enabled { get; set; }

    /// <summary>Only lower the nape line (longer hair than the mouth line); true: short hair keeps the mouth line at the back.</summary>
    public bool LowerOnly { get; set; } = true;

    /// <summary>The nape line goes at most this far (metres) below the chin (the mesh's neck is short; hair below it has nothing to lie on).</summary>
    public double MaxBelowChin { get; set; } = 0.02;

    /// <summary>Moves the measured line (metres, + = up): the hair's end seen beside the face is its outer tips; 0 keeps it.</summary>
    public double Offset { get; set; }

    /// <summary>The search ends this many eye distances below the chin.</summary>
    public double SearchBelowChin { get; set; } = 0.8;

    /// <summary>The strip read per row starts this many eye distances outside the jaw contour.</summary>
    public double StripOffset { get; set; } = 0.05;

    /// <summary>... and ends this many eye distances outside it.</summary>
    public double StripWidth { get; set; } = 0.35;

    /// <summary>Share of the strip that must be hair-coloured foreground for a row to count as hair.</summary>
    public double RowHairShare { get; set; } = 0.3;

    /// <summary>Runs of rows without hair up to this many eye distances long are bridged (a parting of the lock, an earring).</summary>
    public double GapRows { get; set; } = 0.08;
}
