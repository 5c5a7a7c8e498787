using FaceCraft4D.Vision.Preprocessing.Landmarks;

namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>
/// The head ellipse of a portrait in face-size units (as <see cref="PortraitTrimap"/>'s head template): centred on the
/// jaw midline <see cref="MattingOptions.HeadCentreOffsetFactor"/> face heights above the brows, semi-axes
/// <see cref="MattingOptions.HeadSemiAxisXFactor"/> face widths (jaw 0 to 16) and
/// <see cref="MattingOptions.HeadSemiAxisYFactor"/> face heights (brows to chin). <see cref="Radius"/> is 1 on it.
/// <see cref="FaceWidth"/> and <see cref="FaceHeight"/> are those units in pixels, <see cref="Chin"/> landmark 8.
/// </summary>
public sealed record HeadEllipse(double CentreX, double CentreY, double SemiAxisX, double SemiAxisY, double FaceWidth, double FaceHeight, (double X, double Y) Chin)
{
    /// <summary>The chin's row.</summary>
    public double ChinY => Chin.Y;

    public static HeadEllipse From(FaceLandmarks68 lm, MattingOptions o)
    {
        var jawL = lm[0]; var jawR = lm[16]; var chin = lm[8];
        double faceW = Math.Max(1, Math.Sqrt((jawR.X - jawL.X) * (jawR.X - jawL.X) + (jawR.Y - jawL.Y) * (jawR.Y - jawL.Y)));
        var brow = lm.Mean(17, 26);
        double faceH = Math.Max(1, chin.Y - brow.Y);
        return new HeadEllipse((jawL.X + jawR.X) / 2, brow.Y - o.HeadCentreOffsetFactor * faceH,
            o.HeadSemiAxisXFactor * faceW, o.HeadSemiAxisYFactor * faceH, faceW, faceH, (chin.X, chin.Y));
    }

    /// <summary>Normalised radius of pixel (x, y): 0 at the centre, 1 on the ellipse.</summary>
    public double Radius(double x, double y)
    {
        double dx = (x - CentreX) / SemiAxisX, dy = (y - CentreY) / SemiAxisY;
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
