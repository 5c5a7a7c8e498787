using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// One frame of a video to track, kept compact (8-bit) because a paper-size run tracks thousands of frames.
/// </summary>
/// <param name="Width">Image width (the video camera's).</param>
/// <param name="Height">Image height.</param>
/// <param name="Rgb">sRGB bytes, row-major interleaved [H * W * 3], over white.</param>
/// <param name="Mask">Foreground mask bytes [H * W] (255 = head), or null.</param>
/// <param name="Landmarks">Detected iBUG-68 landmarks in this image's pixels (x/y interleaved, centres at +0.5), NaN where
/// a landmark is not available, or null when detection failed (then the photometric term alone constrains the frame).</param>
public sealed record TrackingFrame(int Width, int Height, byte[] Rgb, byte[]? Mask, float[]? Landmarks)
{
    /// <summary>Converts images (values in [0, 1]) to a frame.</summary>
    public static TrackingFrame From(RgbImage image, FloatImage? mask, float[]? landmarks)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgb = new byte[image.Data.Length];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)Math.Clamp((int)(image.Data[i] * 255f + 0.5f), 0, 255);
        byte[]? m = null;
        if (mask is not null)
        {
            if (mask.Width != image.Width || mask.Height != image.Height) throw new ArgumentException("Mask and image sizes differ.", nameof(mask));
            m = new byte[mask.Data.Length];
            for (int i = 0; i < m.Length; i++) m[i] = (byte)Math.Clamp((int)(mask.Data[i] * 255f + 0.5f), 0, 255);
        }
        return new TrackingFrame(image.Width, image.Height, rgb, m, landmarks);
    }

    /// <summary>The frame downsampled (area average) so its larger side is at most <paramref name="maxSide"/>; landmarks scaled.</summary>
    public static TrackingFrame FromResized(RgbImage image, FloatImage? mask, float[]? landmarks, int maxSide)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (w, h) = TrackingSize(image.Width, image.Height, maxSide);
        if (w == image.Width && h == image.Height) return From(image, mask, landmarks);
        float sx = (float)w / image.Width, sy = (float)h / image.Height;
        var scaled = landmarks?.Select((v, i) => i % 2 == 0 ? v * sx : v * sy).ToArray();
        return From(image.Resize(w, h), mask?.Resize(w, h), scaled);
    }

    /// <summary>The tracking size of a frame: scaled so the larger side is at most <paramref name="maxSide"/> (0 = unchanged).</summary>
    public static (int Width, int Height) TrackingSize(int width, int height, int maxSide)
    {
        if (maxSide <= 0 || Math.Max(width, height) <= maxSide) return (width, height);
        double s = (double)maxSide / Math.Max(width, height);
        return (Math.Max(1, (int)Math.Round(width * s)), Math.Max(1, (int)Math.Round(height * s)));
    }
}

/// <summary>
/// One multi-frame video of the run: a source view animated by a clip. Videos of the same clip share frame timing and
/// are tracked jointly (one set of FLAME parameters per frame, seen by every view).
/// </summary>
/// <param name="Clip">Clip index (videos with the same index are synchronised).</param>
/// <param name="View">Source view index (for reports).</param>
/// <param name="Camera">The camera of the frames, at the frames' resolution.</param>
/// <param name="Appearance">Colours of the head for this video (its re-baked texture).</param>
/// <param name="Frames">The frames in order.</param>
public sealed record TrackingVideo(int Clip, int View, Camera Camera, HeadAppearance Appearance, IReadOnlyList<TrackingFrame> Frames);
