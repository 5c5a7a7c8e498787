using System.Numerics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// A colour image (sRGB values as stored in 8-bit files) as floats in [0, 1], interleaved row-major [H, W, 3] like the
/// Graphics image tensors. Pixel (x, y) has its centre at (x + 0.5, y + 0.5) (the Graphics camera convention).
/// </summary>
public sealed class RgbImage
{
    /// <summary>Creates a black image.</summary>
    public RgbImage(int width, int height)
        : this(width, height, new float[checked(width * height * 3)])
    {
    }

    /// <summary>Wraps interleaved RGB data (length W * H * 3).</summary>
    public RgbImage(int width, int height, float[] data)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "Image size must be positive.");
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != width * height * 3) throw new ArgumentException($"Expected {width * height * 3} values.", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved RGB values in [0, 1].</summary>
    public float[] Data { get; }

    /// <summary>The colour of pixel (x, y).</summary>
    public Vector3 this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 3;
            return new Vector3(Data[i], Data[i + 1], Data[i + 2]);
        }
        set
        {
            int i = (y * Width + x) * 3;
            Data[i] = value.X;
            Data[i + 1] = value.Y;
            Data[i + 2] = value.Z;
        }
    }

    /// <summary>An image filled with one colour.</summary>
    public static RgbImage Filled(int width, int height, Vector3 colour)
    {
        var image = new RgbImage(width, height);
        for (int i = 0; i < width * height; i++) image[i % width, i / width] = colour;
        return image;
    }

    /// <summary>Copies an 8-bit image.</summary>
    public static RgbImage FromImage(Image<Rgb24> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        var data = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) data[i] = bytes[i] / 255f;
        return new RgbImage(image.Width, image.Height, data);
    }

    /// <summary>Rounds to an 8-bit image (values clamped to [0, 1]).</summary>
    public Image<Rgb24> ToImage()
    {
        var bytes = new byte[Data.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp((int)(Data[i] * 255f + 0.5f), 0, 255);
        return Image.LoadPixelData<Rgb24>(bytes, Width, Height);
    }

    /// <summary>A deep copy.</summary>
    public RgbImage Clone() => new(Width, Height, (float[])Data.Clone());

    /// <summary>
    /// Bilinear sample at continuous pixel coordinates (u, v) (pixel centres at +0.5), clamped at the border.
    /// </summary>
    public Vector3 SampleBilinear(double u, double v)
    {
        double x = u - 0.5, y = v - 0.5;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        float fx = (float)(x - x0), fy = (float)(y - y0);
        int xa = Math.Clamp(x0, 0, Width - 1), xb = Math.Clamp(x0 + 1, 0, Width - 1);
        int ya = Math.Clamp(y0, 0, Height - 1), yb = Math.Clamp(y0 + 1, 0, Height - 1);
        var top = Vector3.Lerp(this[xa, ya], this[xb, ya], fx);
        var bottom = Vector3.Lerp(this[xa, yb], this[xb, yb], fx);
        return Vector3.Lerp(top, bottom, fy);
    }

    /// <summary>Box-filter downsampling by an integer factor (the anti-aliasing resolve of a supersampled render).</summary>
    public RgbImage Downsample(int factor)
    {
        if (factor == 1) return Clone();
        if (factor < 1 || Width % factor != 0 || Height % factor != 0)
            throw new ArgumentException($"The image ({Width}x{Height}) is not divisible by {factor}.", nameof(factor));
        int w = Width / factor, h = Height / factor;
        var result = new RgbImage(w, h);
        float norm = 1f / (factor * factor);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            var sum = Vector3.Zero;
            for (int dy = 0; dy < factor; dy++)
            for (int dx = 0; dx < factor; dx++) sum += this[x * factor + dx, y * factor + dy];
            result[x, y] = sum * norm;
        }
        return result;
    }

    /// <summary>Resamples to another size: area averaging when shrinking, bilinear when enlarging.</summary>
    public RgbImage Resize(int width, int height)
    {
        if (width == Width && height == Height) return Clone();
        var result = new RgbImage(width, height);
        double sx = (double)Width / width, sy = (double)Height / height;
        int taps = Math.Max(1, (int)Math.Ceiling(Math.Max(sx, sy)));
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            var sum = Vector3.Zero;
            for (int ty = 0; ty < taps; ty++)
            for (int tx = 0; tx < taps; tx++)
            {
                double u = (x + (tx + 0.5) / taps) * sx, v = (y + (ty + 0.5) / taps) * sy;
                sum += SampleBilinear(u, v);
            }
            result[x, y] = sum / (taps * taps);
        }
        return result;
    }
}
