using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>A single-channel float image, row-major [H, W] (masks in [0, 1], weights, depth).</summary>
public sealed class FloatImage
{
    /// <summary>Creates an all-zero image.</summary>
    public FloatImage(int width, int height)
        : this(width, height, new float[checked(width * height)])
    {
    }

    /// <summary>Wraps row-major data (length W * H).</summary>
    public FloatImage(int width, int height, float[] data)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "Image size must be positive.");
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != width * height) throw new ArgumentException($"Expected {width * height} values.", nameof(data));
        Width = width;
        Height = height;
        Data = data;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Row-major values.</summary>
    public float[] Data { get; }

    /// <summary>Value of pixel (x, y).</summary>
    public float this[int x, int y]
    {
        get => Data[y * Width + x];
        set => Data[y * Width + x] = value;
    }

    /// <summary>A deep copy.</summary>
    public FloatImage Clone() => new(Width, Height, (float[])Data.Clone());

    /// <summary>Reads an 8-bit mask (255 = 1).</summary>
    public static FloatImage FromMask(Image<L8> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var bytes = new byte[mask.Width * mask.Height];
        mask.CopyPixelDataTo(bytes);
        return new FloatImage(mask.Width, mask.Height, bytes.Select(b => b / 255f).ToArray());
    }

    /// <summary>Writes values in [0, 1] as an 8-bit mask (clamped).</summary>
    public Image<L8> ToMask()
    {
        var bytes = new byte[Data.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp((int)(Data[i] * 255f + 0.5f), 0, 255);
        return Image.LoadPixelData<L8>(bytes, Width, Height);
    }

    /// <summary>Bilinear sample at continuous pixel coordinates (pixel centres at +0.5), clamped at the border.</summary>
    public float SampleBilinear(double u, double v)
    {
        double x = u - 0.5, y = v - 0.5;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        float fx = (float)(x - x0), fy = (float)(y - y0);
        int xa = Math.Clamp(x0, 0, Width - 1), xb = Math.Clamp(x0 + 1, 0, Width - 1);
        int ya = Math.Clamp(y0, 0, Height - 1), yb = Math.Clamp(y0 + 1, 0, Height - 1);
        float top = this[xa, ya] + (this[xb, ya] - this[xa, ya]) * fx;
        float bottom = this[xa, yb] + (this[xb, yb] - this[xa, yb]) * fx;
        return top + (bottom - top) * fy;
    }

    /// <summary>Box-filter downsampling by an integer factor (average of each factor x factor block).</summary>
    public FloatImage Downsample(int factor)
    {
        if (factor == 1) return Clone();
        if (factor < 1 || Width % factor != 0 || Height % factor != 0)
            throw new ArgumentException($"The image ({Width}x{Height}) is not divisible by {factor}.", nameof(factor));
        int w = Width / factor, h = Height / factor;
        var result = new FloatImage(w, h);
        float norm = 1f / (factor * factor);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            float sum = 0;
            for (int dy = 0; dy < factor; dy++)
            for (int dx = 0; dx < factor; dx++) sum += this[x * factor + dx, y * factor + dy];
            result[x, y] = sum * norm;
        }
        return result;
    }

    /// <summary>Resamples to another size: area averaging when shrinking, bilinear when enlarging.</summary>
    public FloatImage Resize(int width, int height)
    {
        if (width == Width && height == Height) return Clone();
        var result = new FloatImage(width, height);
        double sx = (double)Width / width, sy = (double)Height / height;
        int taps = Math.Max(1, (int)Math.Ceiling(Math.Max(sx, sy)));
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            float sum = 0;
            for (int ty = 0; ty < taps; ty++)
            for (int tx = 0; tx < taps; tx++) sum += SampleBilinear((x + (tx + 0.5) / taps) * sx, (y + (ty + 0.5) / taps) * sy);
            result[x, y] = sum / (taps * taps);
        }
        return result;
    }
}
