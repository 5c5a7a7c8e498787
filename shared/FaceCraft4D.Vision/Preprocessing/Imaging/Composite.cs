using FaceCraft4D.Vision.Preprocessing.Matting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>Alpha compositing helpers.</summary>
public static class Composite
{
    /// <summary>alpha * image + (1 - alpha) * white.</summary>
    public static RgbImageBuffer OverWhite(RgbImageBuffer image, float[] alpha)
    {
        int n = image.PlaneSize;
        if (alpha.Length != n) throw new ArgumentException("alpha size does not match the image", nameof(alpha));
        var dst = new RgbImageBuffer(image.Width, image.Height);
        for (int c = 0; c < 3; c++)
        for (int i = 0; i < n; i++)
            dst.Data[c * n + i] = alpha[i] * image.Data[c * n + i] + (1 - alpha[i]) * 255f;
        return dst;
    }

    public static Image<L8> ToMaskImage(MattingResult matte)
    {
        var px = new L8[matte.Alpha.Length];
        for (int i = 0; i < px.Length; i++) px[i] = new L8(RgbImageBuffer.ToByte(matte.Alpha[i] * 255f));
        return Image.LoadPixelData<L8>(px, matte.Width, matte.Height);
    }
}
