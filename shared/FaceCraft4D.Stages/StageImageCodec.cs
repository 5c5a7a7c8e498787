using FaceCraft4D.Vision.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Stages;

/// <summary>PNG encoding and decoding of the vision library's images for stage files.</summary>
public static class StageImageCodec
{
    /// <summary>PNG content type.</summary>
    public const string PngContentType = "image/png";

    /// <summary>Binary content type.</summary>
    public const string BinaryContentType = "application/octet-stream";

    /// <summary>Encodes an RGB image as PNG.</summary>
    public static BinaryData Png(RgbImage image)
    {
        using var img = image.ToImage();
        return Encode(img);
    }

    /// <summary>Encodes a [0, 1] image as an 8-bit grey PNG.</summary>
    public static BinaryData Png(FloatImage mask)
    {
        using var img = mask.ToMask();
        return Encode(img);
    }

    /// <summary>Encodes an ImageSharp image as PNG.</summary>
    public static BinaryData Encode(Image image)
    {
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder());
        return new BinaryData(stream.ToArray());
    }

    /// <summary>Decodes a stage PNG into an RGB image; a clear stage input error when it is not an image.</summary>
    public static RgbImage ReadRgb(BinaryData data, string name)
    {
        using var image = Decode<Rgb24>(data, name);
        return RgbImage.FromImage(image);
    }

    /// <summary>Decodes a stage PNG mask.</summary>
    public static FloatImage ReadMask(BinaryData data, string name)
    {
        using var image = Decode<L8>(data, name);
        return FloatImage.FromMask(image);
    }

    private static Image<T> Decode<T>(BinaryData data, string name)
        where T : unmanaged, IPixel<T>
    {
        try
        {
            return Image.Load<T>(data.ToArray());
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new StageInputException("input-invalid", $"Input '{name}' is not a readable image: {e.Message}", e);
        }
    }
}
