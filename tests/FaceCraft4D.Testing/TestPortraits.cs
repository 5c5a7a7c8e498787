using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Testing;

/// <summary>Encoded test images made on the fly (no photographs in the repository).</summary>
public static class TestPortraits
{
    /// <summary>A JPEG of a smooth pattern, different for every <paramref name="seed"/>.</summary>
    public static byte[] Jpeg(int seed, int width = 256, int height = 256) => Encode(seed, width, height, new JpegEncoder { Quality = 90 });

    /// <summary>A PNG of a smooth pattern, different for every <paramref name="seed"/>.</summary>
    public static byte[] Png(int seed, int width = 256, int height = 256) => Encode(seed, width, height, new PngEncoder());

    private static byte[] Encode(int seed, int width, int height, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)((x * 3 + seed * 17) & 255), (byte)((y * 5 + seed * 31) & 255), (byte)(((x + y) * 2 + seed) & 255));
            }
        }

        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}
