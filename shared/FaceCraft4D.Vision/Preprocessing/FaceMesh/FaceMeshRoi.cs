using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>
/// The rotated square region of a photo that FaceMesh sees (MediaPipe's face-landmark ROI): centre and side in photo
/// pixels and the in-plane angle that makes the eye line horizontal in the crop.
/// </summary>
public readonly record struct FaceMeshRoi(double CentreX, double CentreY, double Side, double AngleRadians)
{
    /// <summary>
    /// Photo pixels to crop pixels of a <paramref name="cropSize"/> square crop (pixel centres at integers, the
    /// convention of <see cref="AffineWarper"/>): rotate by -angle about the centre, scale cropSize / Side.
    /// </summary>
    public SimilarityMap PhotoToCrop(int cropSize)
    {
        double s = cropSize / Side;
        double a = s * Math.Cos(AngleRadians), b = -s * Math.Sin(AngleRadians);
        double c = (cropSize - 1) / 2.0;
        return new SimilarityMap(a, b, c - (a * CentreX - b * CentreY), c - (b * CentreX + a * CentreY));
    }

    /// <summary>
    /// The ROI around <paramref name="points"/> (interleaved x, y[, z] with <paramref name="stride"/> values per point):
    /// angle of the line from <paramref name="fromIndex"/> to <paramref name="toIndex"/> (eye centres or corners,
    /// image-left to image-right), the points' bounds in the rotated frame, their centre, and the longer side times
    /// <paramref name="scale"/>; the centre moves up (towards the forehead, in the rotated frame) by
    /// <paramref name="shiftUp"/> x side before scaling.
    /// </summary>
    public static FaceMeshRoi Around(IReadOnlyList<float> points, int stride, (double X, double Y) from, (double X, double Y) to, double scale, double shiftUp = 0)
    {
        double angle = Math.Atan2(to.Y - from.Y, to.X - from.X);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double minU = double.MaxValue, minV = double.MaxValue, maxU = double.MinValue, maxV = double.MinValue;
        for (int i = 0; i + 1 < points.Count; i += stride)
        {
            double x = points[i], y = points[i + 1];
            double u = cos * x + sin * y, v = -sin * x + cos * y; // rotate by -angle
            minU = Math.Min(minU, u); maxU = Math.Max(maxU, u); minV = Math.Min(minV, v); maxV = Math.Max(maxV, v);
        }
        double side = Math.Max(maxU - minU, maxV - minV);
        if (!(side > 0)) throw new ArgumentException("the points span no area", nameof(points));
        double cu = (minU + maxU) / 2, cv = (minV + maxV) / 2 - shiftUp * side;
        return new FaceMeshRoi(cos * cu - sin * cv, sin * cu + cos * cv, side * scale, angle);
    }
}
