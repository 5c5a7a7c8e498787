using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Box mean over the texels of a mask, (2 rx + 1) x (2 ry + 1) texels, by summed-area tables: at a texel of the
/// mask, the mean colour of the mask texels in the window around it (texels outside the mask keep their colour).
/// rx = 0 gives a vertical smear along texture columns.
/// </summary>
public static class MaskedBoxBlur
{
    /// <summary>The blurred image [W x H].</summary>
    public static RgbImage Blur(RgbImage image, bool[] mask, int rx, int ry)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(mask);
        int w = image.Width, h = image.Height, stride = w + 1;
        if (mask.Length != w * h) throw new ArgumentException("The mask must have one entry per texel.", nameof(mask));
        var sum = new Vector3[stride * (h + 1)];
        var count = new int[stride * (h + 1)];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = (y + 1) * stride + x + 1;
            bool m = mask[y * w + x];
            sum[i] = (m ? image[x, y] : Vector3.Zero) + sum[i - 1] + sum[i - stride] - sum[i - stride - 1];
            count[i] = (m ? 1 : 0) + count[i - 1] + count[i - stride] - count[i - stride - 1];
        }
        var result = image.Clone();
        Parallel.For(0, h, y =>
        {
            int y0 = Math.Max(0, y - ry), y1 = Math.Min(h, y + ry + 1);
            for (int x = 0; x < w; x++)
            {
                if (!mask[y * w + x]) continue;
                int x0 = Math.Max(0, x - rx), x1 = Math.Min(w, x + rx + 1);
                int n = count[y1 * stride + x1] - count[y0 * stride + x1] - count[y1 * stride + x0] + count[y0 * stride + x0];
                var s = sum[y1 * stride + x1] - sum[y0 * stride + x1] - sum[y1 * stride + x0] + sum[y0 * stride + x0];
                result[x, y] = s / Math.Max(1, n);
            }
        });
        return result;
    }
}
