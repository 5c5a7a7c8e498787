using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>
/// Face detector for the identity metrics: asks the inner detector first; when it finds no face, asks again with the
/// image centred on a larger canvas (a margin of <see cref="MarginFraction"/> × width / height on every side, filled
/// with the mean colour of the image's border pixels) and maps the boxes back into the image, clipped to it.
/// <para>
/// Why: face-api.js' TinyFaceDetector misses faces that fill much of the frame. The evaluation protocol's 512 px views
/// are tight crops of the head (the face about 45% of the width): on such a crop of the Grace Hopper portrait, and of
/// stylised portraits, it found nothing at any score threshold, so ID similarity was skipped with "no face detected in
/// the reference image"; with a 0.5 margin (face about 22% of the canvas) the same faces score 0.89-0.97.
/// Images where the inner detector already finds a face are detected exactly as before (face-api.js parity).
/// </para>
/// </summary>
public sealed class MarginRetryFaceDetector(IFaceDetector inner, double marginFraction) : IFaceDetector, IDisposable
{
    /// <summary>Margin per side as a fraction of the image's width (left/right) and height (top/bottom); 0: no retry.</summary>
    public double MarginFraction { get; } = marginFraction >= 0
        ? marginFraction
        : throw new ArgumentOutOfRangeException(nameof(marginFraction), marginFraction, "the margin fraction must not be negative");

    /// <inheritdoc />
    public string BackendName => MarginFraction > 0 ? $"{inner.BackendName} (retried with a {MarginFraction:0.##} margin)" : inner.BackendName;

    /// <inheritdoc />
    public async Task<IReadOnlyList<FaceDetection>> DetectAsync(RgbImageBuffer image, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        var faces = await inner.DetectAsync(image, ct).ConfigureAwait(false);
        if (faces.Count > 0 || MarginFraction <= 0) return faces;

        int mx = (int)Math.Round(image.Width * MarginFraction), my = (int)Math.Round(image.Height * MarginFraction);
        if (mx == 0 && my == 0) return faces;
        var canvas = Padded(image, mx, my);
        var found = await inner.DetectAsync(canvas, ct).ConfigureAwait(false);
        var mapped = new List<FaceDetection>(found.Count);
        foreach (var face in found)
        {
            double x0 = Math.Max(0, face.Box.X - mx), y0 = Math.Max(0, face.Box.Y - my);
            double x1 = Math.Min(image.Width, face.Box.Right - mx), y1 = Math.Min(image.Height, face.Box.Bottom - my);
            if (x1 - x0 < 1 || y1 - y0 < 1) continue; // a "face" found only in the margin
            mapped.Add(face with { Box = new FaceBox(x0, y0, x1 - x0, y1 - y0) });
        }
        return mapped;
    }

    /// <summary>The image centred on a (W + 2·mx) × (H + 2·my) canvas filled with the mean colour of its border pixels.</summary>
    public static RgbImageBuffer Padded(RgbImageBuffer image, int mx, int my)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height, cw = w + 2 * mx, ch = h + 2 * my;
        var fill = BorderMean(image);
        var canvas = new RgbImageBuffer(cw, ch);
        for (int c = 0; c < 3; c++)
        {
            Array.Fill(canvas.Data, fill[c], c * canvas.PlaneSize, canvas.PlaneSize);
            for (int y = 0; y < h; y++)
                Array.Copy(image.Data, c * image.PlaneSize + y * w, canvas.Data, c * canvas.PlaneSize + (y + my) * cw + mx, w);
        }
        return canvas;
    }

    /// <summary>Mean of each channel over the pixels of the outermost rows and columns.</summary>
    public static float[] BorderMean(RgbImageBuffer image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var sum = new double[3];
        long n = 0;
        for (int y = 0; y < image.Height; y++)
        {
            bool edgeRow = y == 0 || y == image.Height - 1;
            for (int x = 0; x < image.Width; x += edgeRow || x == image.Width - 1 ? 1 : image.Width - 1)
            {
                for (int c = 0; c < 3; c++) sum[c] += image[c, y, x];
                n++;
                if (image.Width == 1) break;
            }
        }
        return [(float)(sum[0] / n), (float)(sum[1] / n), (float)(sum[2] / n)];
    }

    /// <summary>Disposes the inner detector when it owns resources (the detector network).</summary>
    public void Dispose() => (inner as IDisposable)?.Dispose();
}
