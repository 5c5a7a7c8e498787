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

    /// <summary>A GIF (a format the service does not accept).</summary>
    public static byte[] Gif(int seed) => Encode(seed, 200, 200, new SixLabors.ImageSharp.Formats.Gif.GifEncoder());

    /// <summary>A valid JPEG cut after <paramref name="fraction"/> of its bytes.</summary>
    public static byte[] TruncatedJpeg(int seed, double fraction = 0.6)
    {
        var full = Jpeg(seed, 512, 512);
        return full[..(int)(full.Length * fraction)];
    }

    /// <summary>
    /// A PNG whose header claims <paramref name="width"/> x <paramref name="height"/> pixels with almost no data: a
    /// decompression bomb in spirit (decoding would allocate width*height*4 bytes).
    /// </summary>
    public static byte[] PngBombHeader(int width = 50_000, int height = 50_000)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        stream.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

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
