using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Where the portrait's hair ends beside the face (<see cref="PortraitHairLength"/>).</summary>
/// <param name="LeftRow">Crop row (pixels) of the hair's lower end on the image's left side; NaN where no hair hangs there.</param>
/// <param name="RightRow">The same on the image's right side.</param>
/// <param name="Row">The mean of the two; NaN unless both were found.</param>
public sealed record HairEnd(double LeftRow, double RightRow, double Row)
{
    /// <summary>Whether hair was found hanging beside the face on both sides.</summary>
    public bool Found => !double.IsNaN(Row);
}

/// <summary>
/// How far down the portrait's hair hangs beside the face: per side, the rows from the brows down to
/// <see cref="HairLengthOptions.SearchBelowChin"/> eye distances under the chin are read in a strip just outside the jaw
/// contour (from <see cref="HairLengthOptions.StripOffset"/> to <see cref="HairLengthOptions.StripWidth"/> eye distances
/// out; below the chin, outside the jaw at mouth height); a row is hair when at least
/// <see cref="HairLengthOptions.RowHairShare"/> of the strip is foreground nearer the hair colour than the skin's (and, below the
/// chin, than the clothing's, <see cref="HeadColours.Neck"/>). The hair's end is the last row of the run of hair rows that starts in
/// the upper half of the search (gaps up to <see cref="HairLengthOptions.GapRows"/> eye distances bridged): the jaw
/// for a bob, above the ear for short hair, the chin's depth window's end for long hair.
/// </summary>
public static class PortraitHairLength
{
    /// <summary>Measures the hair's end; <paramref name="landmarks"/>: 68 landmarks in crop pixels.</summary>
    public static HairEnd Measure(RgbImage crop, FloatImage mask, float[] landmarks, HeadColours colours, HairLengthOptions options)
    {
        ArgumentNullException.ThrowIfNull(crop);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(landmarks);
        ArgumentNullException.ThrowIfNull(colours);
        ArgumentNullException.ThrowIfNull(options);
        if (landmarks.Length != 136) throw new ArgumentException($"Expected 68 x 2 landmark values, got {landmarks.Length}.", nameof(landmarks));
        if (!colours.HairFound) return new HairEnd(double.NaN, double.NaN, double.NaN);
        float s = (float)FlameLandmarkFitter.InterOcularDistance(landmarks);
        Vector2 L(int i) => new(landmarks[2 * i], landmarks[2 * i + 1]);
        int top = (int)Enumerable.Range(17, 10).Average(i => L(i).Y), chinRow = (int)L(8).Y;
        int bottom = Math.Min(crop.Height - 1, (int)(L(8).Y + options.SearchBelowChin * s));
        double left = Side(Enumerable.Range(0, 9).Select(L).ToArray(), -1);
        double right = Side(Enumerable.Range(8, 9).Reverse().Select(L).ToArray(), +1);
        // Both sides or none: hair on one side only is as often an ear, a shadow or a single lock (MLK's right side read as
        // hair down to the collar, his left as none).
        double row = double.IsNaN(left) || double.IsNaN(right) ? double.NaN : (left + right) / 2;
        return new HairEnd(left, right, row);

        // contour: the jaw contour's half from the temple down to the chin; step: -1 outward to the image's left, +1 right.
        double Side(Vector2[] contour, int step)
        {
            int gap = Math.Max(1, (int)(options.GapRows * s)), startBy = top + (bottom - top) / 2;
            int last = -1, sinceHair = int.MaxValue / 2;
            for (int y = Math.Max(0, top); y <= bottom; y++)
            {
                bool hair = IsHairRow(y, ContourX(contour, y + 0.5f), step);
                if (hair)
                {
                    if (last < 0 && y > startBy) break;
                    last = y;
                    sinceHair = 0;
                }
                else if (last >= 0 && ++sinceHair > gap) break;
            }
            return last < 0 ? double.NaN : last + 1;
        }

        bool IsHairRow(int y, float contourX, int step)
        {
            int from = (int)(contourX + step * options.StripOffset * s), length = Math.Max(1, (int)((options.StripWidth - options.StripOffset) * s));
            int hair = 0;
            for (int k = 0; k < length; k++)
            {
                int x = from + step * k;
                if (x < 0 || x >= crop.Width || mask[x, y] < 0.5f) continue;
                var c = crop[x, y];
                float dh = Vector3.DistanceSquared(c, colours.Hair);
                // Below the chin the strip passes the clothing: there a pixel nearer the clothing's colour is not hair
                // (above it the clothing is not beside the face, and shadowed hair may be nearer a dark collar's colour).
                if (dh < Vector3.DistanceSquared(c, colours.Skin) && (y <= chinRow || dh < Vector3.DistanceSquared(c, colours.Neck))) hair++;
            }
            return hair >= options.RowHairShare * length;
        }
    }

    /// <summary>The contour's x at height <paramref name="y"/> (linear between landmarks; above it the temple's x; below the
    /// chin the x of the jaw at mouth height, iBUG 4 / 12, so the strip passes beside the neck, not over it).</summary>
    private static float ContourX(Vector2[] contour, float y)
    {
        if (y <= contour[0].Y) return contour[0].X;
        for (int i = 0; i + 1 < contour.Length; i++)
        {
            var (a, b) = (contour[i], contour[i + 1]);
            if (y < a.Y || y > b.Y || b.Y - a.Y < 1e-6f) continue;
            return a.X + (y - a.Y) / (b.Y - a.Y) * (b.X - a.X);
        }
        return contour[4].X;
    }

    /// <summary>
    /// A crop row as a height (model frame y, metres): the least-squares line through the landmarks' (row, y) pairs
    /// (the 2D landmarks against the fitted head's 3D landmarks, in iBUG order when 68, iBUG 17-67 when 51).
    /// </summary>
    public static double RowToHeight(double row, float[] landmarks2d, float[] landmarks3d)
    {
        ArgumentNullException.ThrowIfNull(landmarks2d);
        ArgumentNullException.ThrowIfNull(landmarks3d);
        var correspondence = LandmarkCorrespondence.ForModel(landmarks3d.Length / 3);
        double sr = 0, sy = 0, srr = 0, sry = 0;
        int n = correspondence.Count;
        for (int k = 0; k < n; k++)
        {
            double r = landmarks2d[2 * correspondence.IbugIndices[k] + 1], y = landmarks3d[3 * k + 1];
            sr += r;
            sy += y;
            srr += r * r;
            sry += r * y;
        }
        double slope = (n * sry - sr * sy) / (n * srr - sr * sr);
        return (sy - slope * sr) / n + slope * row;
    }

    /// <summary>
    /// The nape line's height for a hair end at crop row <paramref name="row"/> (<see cref="RowToHeight"/> +
    /// <see cref="HairLengthOptions.Offset"/>), no lower than <see cref="HairLengthOptions.MaxBelowChin"/> under the chin and,
    /// with <see cref="HairLengthOptions.LowerOnly"/>, no higher than the mouth line of <paramref name="byMouth"/>.
    /// </summary>
    public static float NapeHeight(double row, float[] landmarks2d, float[] landmarks3d, HeadRegions byMouth, HairLengthOptions options)
    {
        ArgumentNullException.ThrowIfNull(byMouth);
        ArgumentNullException.ThrowIfNull(options);
        double height = RowToHeight(row, landmarks2d, landmarks3d) + options.Offset;
        height = Math.Max(height, byMouth.ChinHeight - options.MaxBelowChin);
        if (options.LowerOnly) height = Math.Min(height, byMouth.NapeHeight);
        return (float)height;
    }
}
