namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// What the landmark stage found on one frame of a driving video.
/// </summary>
/// <param name="Frame">Frame index in the resampled video.</param>
/// <param name="FacesFound">Faces the detector found (the largest is tracked; more than one is flagged).</param>
/// <param name="Landmarks68">iBUG-68 landmarks of the tracked face (x/y interleaved, frame pixels, pixel centres at +0.5), or null without a face.</param>
/// <param name="Dense">FaceMesh landmarks (468 or 478 x (x, y, z) interleaved, same pixels), or null when the dense mesh is not available or was rejected.</param>
/// <param name="Width">Frame width, pixels.</param>
/// <param name="Height">Frame height, pixels.</param>
public sealed record FaceObservation(int Frame, int FacesFound, float[]? Landmarks68, float[]? Dense, int Width, int Height)
{
    /// <summary>Whether a face was tracked on this frame.</summary>
    public bool HasFace => Landmarks68 is not null;

    /// <summary>Distance between the eye centres (mean of iBUG 36-41 and 42-47), pixels; NaN without a face.</summary>
    public double InterOcularDistance => Landmarks68 is { } l ? InterOcular(l) : double.NaN;

    /// <summary>Inner-lip opening: mean of |61-67|, |62-66|, |63-65| (iBUG) over the inter-ocular distance; NaN without a face.</summary>
    public double InnerLipOpening => Landmarks68 is { } l ? InnerLip(l) / InterOcular(l) : double.NaN;

    /// <summary>Inter-ocular distance of iBUG-68 landmarks (136 values).</summary>
    public static double InterOcular(float[] l)
    {
        ArgumentNullException.ThrowIfNull(l);
        double rx = 0, ry = 0, lx = 0, ly = 0;
        for (int i = 36; i <= 41; i++) { rx += l[2 * i]; ry += l[2 * i + 1]; }
        for (int i = 42; i <= 47; i++) { lx += l[2 * i]; ly += l[2 * i + 1]; }
        return Math.Sqrt(Math.Pow((rx - lx) / 6, 2) + Math.Pow((ry - ly) / 6, 2));
    }

    /// <summary>Mean inner-lip gap of iBUG-68 landmarks (pixels): pairs 61-67, 62-66, 63-65.</summary>
    public static double InnerLip(float[] l)
    {
        ArgumentNullException.ThrowIfNull(l);
        double Gap(int a, int b) => Math.Sqrt(Math.Pow(l[2 * a] - l[2 * b], 2) + Math.Pow(l[2 * a + 1] - l[2 * b + 1], 2));
        return (Gap(61, 67) + Gap(62, 66) + Gap(63, 65)) / 3;
    }
}
