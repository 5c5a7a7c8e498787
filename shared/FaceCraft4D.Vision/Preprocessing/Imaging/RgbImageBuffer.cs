using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>
/// Planar float RGB image, values 0..255, layout [channel][y][x] (channel-major, like an NCHW tensor without N).
/// The working format of the preprocessing stage.
/// </summary>
public sealed class RgbImageBuffer
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>3 * Height * Width values: R plane, then G, then B.</summary>
    public float[] Data { get; }

    public RgbImageBuffer(int width, int height, float[]? data = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "image must be non-empty");
        Width = width; Height = height;
        Data = data ?? new float[3 * width * height];
        if (Data.Length != 3 * width * height) throw new ArgumentException("data length does not match 3 * width * height", nameof(data));
    }

    public int PlaneSize => Width * Height;

    public float this[int c, int y, int x]
    {
        get => Data[c * PlaneSize + y * Width + x];
        set => Data[c * PlaneSize + y * Width + x] = value;
    }

    public static RgbImageBuffer FromImage(Image<Rgb24> image)
    {
        var pixels = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var buf = new RgbImageBuffer(image.Width, image.Height);
        int n = pixels.Length;
        for (int i = 0; i < n; i++)
        {
            buf.Data[i] = pixels[i].R;
            buf.Data[n + i] = pixels[i].G;
            buf.Data[2 * n + i] = pixels[i].B;
        }
        return buf;
    }

    public Image<Rgb24> ToImage()
    {
        int n = PlaneSize;
        var pixels = new Rgb24[n];
        for (int i = 0; i < n; i++)
            pixels[i] = new Rgb24(ToByte(Data[i]), ToByte(Data[n + i]), ToByte(Data[2 * n + i]));
        return Image.LoadPixelData<Rgb24>(pixels, Width, Height);
    }

    public static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v), 0f, 255f);

    /// <summary>True when every pixel has R == G == B (a grayscale photo stored as RGB).</summary>
    public bool IsGrayscale(float tolerance = 1f)
    {
        int n = PlaneSize;
        for (int i = 0; i < n; i++)
        {
            if (MathF.Abs(Data[i] - Data[n + i]) > tolerance || MathF.Abs(Data[i] - Data[2 * n + i]) > tolerance) return false;
        }
        return true;
    }
}
