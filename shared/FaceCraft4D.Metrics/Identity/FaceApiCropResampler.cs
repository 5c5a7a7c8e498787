using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>
/// face-api.js network-input preparation for a tensor image (<c>extractFaceTensors</c> + <c>NetInput.toBatchTensor</c>):
/// the crop is zero-padded to a square (<c>padToSquare(isCenterImage = true)</c>: ⌊diff/2 + ½⌋ rows/columns appended,
/// the remainder prepended) and resized with tfjs' legacy bilinear rule (source coordinate = dst · in / out,
/// neighbour index clamped to the last pixel).
/// </summary>
public static class FaceApiCropResampler
{
    /// <returns>planar [3, size, size] values 0..255</returns>
    public static float[] Resample(RgbImageBuffer image, PixelRect crop, int size)
    {
        crop = crop.Intersect(new PixelRect(0, 0, image.Width, image.Height));
        if (crop.Width < 1 || crop.Height < 1) throw new ArgumentException("crop lies outside the image", nameof(crop));
        int h = crop.Height, w = crop.Width, side = Math.Max(h, w), diff = Math.Abs(h - w);
        int append = (int)Math.Floor(diff * 0.5 + 0.5), prepend = diff - append;
        int padTop = h < w ? prepend : 0, padLeft = w < h ? prepend : 0;

        float Sample(int c, int y, int x) // (y, x) in the padded square; zero outside the crop
        {
            int sy = y - padTop, sx = x - padLeft;
            if (sy < 0 || sx < 0 || sy >= h || sx >= w) return 0f;
            return image[c, crop.Y + sy, crop.X + sx];
        }

        var result = new float[3 * size * size];
        double scale = side / (double)size;
        for (int v = 0; v < size; v++)
        {
            double fy = v * scale;
            int y0 = (int)Math.Floor(fy), y1 = Math.Min(side - 1, (int)Math.Ceiling(fy));
            double ry = fy - y0;
            for (int u = 0; u < size; u++)
            {
                double fx = u * scale;
                int x0 = (int)Math.Floor(fx), x1 = Math.Min(side - 1, (int)Math.Ceiling(fx));
                double rx = fx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double top = Sample(c, y0, x0) + (Sample(c, y0, x1) - Sample(c, y0, x0)) * rx;
                    double bottom = Sample(c, y1, x0) + (Sample(c, y1, x1) - Sample(c, y1, x0)) * rx;
                    result[c * size * size + v * size + u] = (float)(top + (bottom - top) * ry);
                }
            }
        }
        return result;
    }
}
