namespace FaceCraft4D.Vision.Preprocessing.Landmarks;

/// <summary>
/// 68 facial landmarks in the iBUG-300W / dlib order, as interleaved (x, y) pixel coordinates.
/// Index groups: jaw 0-16, right brow 17-21, left brow 22-26, nose bridge 27-30, nostrils 31-35,
/// right eye 36-41, left eye 42-47, outer lips 48-59, inner lips 60-67 ("right" = the subject's right,
/// which appears on the image's left in a frontal photo).
/// </summary>
public sealed class FaceLandmarks68
{
    public const int Count = 68;
    private readonly float[] xy;

    public FaceLandmarks68(float[] interleavedXy)
    {
        if (interleavedXy.Length != 2 * Count) throw new ArgumentException($"expected {2 * Count} values", nameof(interleavedXy));
        xy = (float[])interleavedXy.Clone();
    }

    public (double X, double Y) this[int i] => (xy[2 * i], xy[2 * i + 1]);

    /// <summary>Copy of the interleaved coordinates [x0, y0, x1, y1, ...].</summary>
    public float[] ToArray() => (float[])xy.Clone();

    public (double X, double Y) Mean(int from, int toInclusive)
    {
        double sx = 0, sy = 0;
        for (int i = from; i <= toInclusive; i++) { sx += xy[2 * i]; sy += xy[2 * i + 1]; }
        int n = toInclusive - from + 1;
        return (sx / n, sy / n);
    }

    /// <summary>Centre of the subject's right eye (image left), mean of 36-41.</summary>
    public (double X, double Y) RightEyeCentre => Mean(36, 41);
    /// <summary>Centre of the subject's left eye (image right), mean of 42-47.</summary>
    public (double X, double Y) LeftEyeCentre => Mean(42, 47);
    /// <summary>Mouth centre, mean of the outer lip contour 48-59.</summary>
    public (double X, double Y) MouthCentre => Mean(48, 59);

    public FaceLandmarks68 Transform(Func<double, double, (double X, double Y)> map)
    {
        var r = new float[2 * Count];
        for (int i = 0; i < Count; i++)
        {
            var (x, y) = map(xy[2 * i], xy[2 * i + 1]);
            r[2 * i] = (float)x; r[2 * i + 1] = (float)y;
        }
        return new FaceLandmarks68(r);
    }

    public (double MinX, double MinY, double MaxX, double MaxY) Bounds()
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        for (int i = 0; i < Count; i++)
        {
            minX = Math.Min(minX, xy[2 * i]); maxX = Math.Max(maxX, xy[2 * i]);
            minY = Math.Min(minY, xy[2 * i + 1]); maxY = Math.Max(maxY, xy[2 * i + 1]);
        }
        return (minX, minY, maxX, maxY);
    }
}
