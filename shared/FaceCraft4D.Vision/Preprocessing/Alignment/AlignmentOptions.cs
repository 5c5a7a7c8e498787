namespace FaceCraft4D.Vision.Preprocessing.Alignment;

/// <summary>
/// Where the aligned crop puts the face. Defaults: 512 x 512 crop; eye centres 0.16 of the crop apart
/// (about 82 px), on a horizontal line at 0.46 of the height; mouth centre at 0.636 of the height on the
/// vertical centre line (eye-to-mouth = 1.1 x eye distance, the average adult ratio). The inner face
/// (brows to chin) then spans roughly 0.40 to 0.76 of the height (about 35 % of the crop) and a full head
/// with hair fits inside with margin, with the neck and shoulders below: a head-centred crop like the
/// ones PanoHead-style shape priors are trained on.
/// </summary>
public sealed class AlignmentOptions
{
    public int CropSize { get; set; } = 512;
    /// <summary>Distance between the two eye centres as a fraction of the crop side.</summary>
    public double EyeDistanceFraction { get; set; } = 0.16;
    /// <summary>Vertical position of the eye line as a fraction of the crop side.</summary>
    public double EyeLineYFraction { get; set; } = 0.46;
    /// <summary>Vertical position of the mouth centre as a fraction of the crop side.</summary>
    public double MouthYFraction { get; set; } = 0.636;
    /// <summary>What the crop shows where it reaches past the photo.</summary>
    public Imaging.BorderMode Border { get; set; } = Imaging.BorderMode.Replicate;
}
