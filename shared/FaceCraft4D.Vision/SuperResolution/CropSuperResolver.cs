using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Vision.SuperResolution;

/// <summary>
/// Makes the aligned crop from a super-resolved photo where the crop would enlarge it: the photo region the crop covers
/// (its corners mapped back, 3 px margin, clipped to the photo) is super-resolved with ESRGAN by 2 or 4 (whichever is nearer
/// the enlargement on a log scale: x2 below 2√2), then warped into the crop through the same similarity. With nearest
/// up-sampling inside the models, output pixel i of a factor-f image sits at photo coordinate (i + 0.5) / f − 0.5 + x0, so
/// the photo→super-resolved map is x ↦ f·(x − x0) + (f − 1) / 2. Where the crop does not enlarge the photo enough
/// (<see cref="SuperResolutionOptions.MinEnlargement"/>) the photo is warped directly and the backend is <see cref="NoneBackend"/>.
/// A grey photo region stays grey (the super-resolved channels are averaged).
/// </summary>
public sealed class CropSuperResolver(EsrganUpscaler upscaler, SuperResolutionOptions options)
{
    /// <summary>Backend label when no super-resolution was applied.</summary>
    public const string NoneBackend = "none";

    private const int Margin = 3;

    /// <summary>The ESRGAN scale used for an enlargement (crop pixels per photo pixel), or 1 for none.</summary>
    public int FactorFor(double enlargement) =>
        !options.Enabled || enlargement < options.MinEnlargement ? 1 : enlargement < 2 * Math.Sqrt(2) ? 2 : 4;

    /// <summary>The crop (<paramref name="size"/>², 0..255) and the backend that made it.</summary>
    public async Task<(RgbImageBuffer Crop, string Backend)> WarpAsync(RgbImageBuffer photo, SimilarityMap photoToCrop, int size, BorderMode border, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(photo);
        var cropToPhoto = photoToCrop.Inverse();
        int factor = FactorFor(photoToCrop.Scale);
        var region = factor == 1 ? null : Region(photo, cropToPhoto, size);
        if (region is not { } r) return (AffineWarper.Warp(photo, cropToPhoto, size, size, border), NoneBackend);

        var patch = Extract(photo, r.X0, r.Y0, r.Width, r.Height);
        var upscaled = await upscaler.UpscaleAsync(patch, factor, ct).ConfigureAwait(false);
        if (patch.IsGrayscale()) ToGrey(upscaled); // the network mixes channels slightly: a grey photo stays grey
        var photoToUpscaled = new SimilarityMap(factor, 0, -factor * r.X0 + (factor - 1) / 2.0, -factor * r.Y0 + (factor - 1) / 2.0);
        var crop = AffineWarper.Warp(upscaled, photoToUpscaled.After(cropToPhoto), size, size, border);
        return (crop, EsrganUpscaler.BackendName(factor));
    }

    /// <summary>The photo pixels the crop samples (integer bounds, margin, clipped), or null when it misses the photo.</summary>
    private static (int X0, int Y0, int Width, int Height)? Region(RgbImageBuffer photo, SimilarityMap cropToPhoto, int size)
    {
        double lo = -0.5, hi = size - 0.5;
        var corners = new[] { cropToPhoto.Apply(lo, lo), cropToPhoto.Apply(hi, lo), cropToPhoto.Apply(lo, hi), cropToPhoto.Apply(hi, hi) };
        int x0 = Math.Max(0, (int)Math.Floor(corners.Min(c => c.X)) - Margin);
        int y0 = Math.Max(0, (int)Math.Floor(corners.Min(c => c.Y)) - Margin);
        int x1 = Math.Min(photo.Width - 1, (int)Math.Ceiling(corners.Max(c => c.X)) + Margin);
        int y1 = Math.Min(photo.Height - 1, (int)Math.Ceiling(corners.Max(c => c.Y)) + Margin);
        if (x1 < x0 || y1 < y0) return null;
        return (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>Replaces each pixel's channels by their mean.</summary>
    private static void ToGrey(RgbImageBuffer image)
    {
        int n = image.PlaneSize;
        for (int i = 0; i < n; i++)
        {
            float mean = (image.Data[i] + image.Data[n + i] + image.Data[2 * n + i]) / 3f;
            image.Data[i] = image.Data[n + i] = image.Data[2 * n + i] = mean;
        }
    }

    private static RgbImageBuffer Extract(RgbImageBuffer photo, int x0, int y0, int width, int height)
    {
        var patch = new RgbImageBuffer(width, height);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < height; y++)
                Array.Copy(photo.Data, c * photo.PlaneSize + (y0 + y) * photo.Width + x0, patch.Data, c * patch.PlaneSize + y * width, width);
        return patch;
    }
}
