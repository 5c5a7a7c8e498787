using FaceCraft4D.Contracts;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// Checks an upload before any run starts: size, format (from the content, never the file name), dimensions
/// from the header (so a decompression bomb is refused before a pixel buffer is allocated), then a full decode
/// (so truncated or corrupt files are refused). Full decodes are limited to
/// <see cref="PortraitValidationOptions.MaxConcurrentDecodes"/> at a time per validator (one per host: a singleton).
/// Nothing is stored here.
/// </summary>
public sealed class PortraitValidator(IOptions<PortraitValidationOptions> options)
{
    private static readonly Dictionary<string, string> Supported = new(StringComparer.OrdinalIgnoreCase)
    {
        ["JPEG"] = "jpeg",
        ["PNG"] = "png",
        ["WEBP"] = "webp",
        ["BMP"] = "bmp",
    };

    private readonly PortraitValidationOptions limits = options.Value;
    private readonly SemaphoreSlim decodes = new(options.Value.MaxConcurrentDecodes, options.Value.MaxConcurrentDecodes);

    /// <summary>Validates the bytes; throws <see cref="InvalidPortraitException"/> with a clear message otherwise.</summary>
    public ValidatedPortrait Validate(BinaryData content)
    {
        var bytes = content.ToMemory();
        if (bytes.Length == 0)
        {
            throw new InvalidPortraitException("empty", "The upload is empty (0 bytes). Send a JPEG, PNG, WebP or BMP portrait photo.");
        }

        if (bytes.Length > limits.MaxBytes)
        {
            throw new InvalidPortraitException("too-large",
                $"The upload is {bytes.Length / 1048576.0:F1} MiB; the limit is {limits.MaxBytes / 1048576.0:F1} MiB.", 413);
        }

        IImageFormat? format;
        IImageInfo? info;
        try
        {
            info = Image.Identify(content.ToArray(), out format);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InvalidPortraitException("not-an-image", $"The upload is not a readable image.");
        }

        if (info is null || format is null)
        {
            throw new InvalidPortraitException("not-an-image",
                "The upload is not an image in a known format. Send a JPEG, PNG, WebP or BMP portrait photo.");
        }

        if (!Supported.TryGetValue(format.Name, out var formatName))
        {
            throw new InvalidPortraitException("unsupported-format",
                $"{format.Name} images are not supported. Send a JPEG, PNG, WebP or BMP portrait photo.");
        }

        CheckDimensions(info.Width, info.Height);
        if (!decodes.Wait(limits.DecodeWaitTimeout))
        {
            throw new InvalidPortraitException("busy",
                $"The server is decoding {limits.MaxConcurrentDecodes} other images; try again in a few seconds.", 503);
        }

        try
        {
            using var image = Image.Load<Rgb24>(bytes.Span);
        }
        catch (Exception e) when (e is InvalidImageContentException or ImageFormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidPortraitException("truncated", $"The image could not be decoded completely (truncated or corrupt file).");
        }
        finally
        {
            decodes.Release();
        }

        if (formatName == "jpeg" && !HasJpegEndMarker(bytes.Span))
        {
            throw new InvalidPortraitException("truncated", "The JPEG file is truncated (it has no end-of-image marker).");
        }

        return new ValidatedPortrait(content, ContentHash.Of(bytes.Span), formatName, format.DefaultMimeType, info.Width, info.Height);
    }

    private void CheckDimensions(int width, int height)
    {
        if ((long)width * height > limits.MaxPixels || width > limits.MaxSide || height > limits.MaxSide)
        {
            throw new InvalidPortraitException("decompression-bomb",
                $"The image claims {width}x{height} pixels; the limit is {limits.MaxPixels / 1e6:F0} megapixels and " +
                $"{limits.MaxSide} pixels per side. It was not decoded.");
        }

        if (width < limits.MinSide || height < limits.MinSide)
        {
            throw new InvalidPortraitException("too-small",
                $"The image is {width}x{height} pixels; at least {limits.MinSide}x{limits.MinSide} is needed to see a face.");
        }
    }

    private static bool HasJpegEndMarker(ReadOnlySpan<byte> bytes)
    {
        // Some encoders append padding after EOI; look at the tail only.
        var tail = bytes[Math.Max(0, bytes.Length - 4096)..];
        for (var i = tail.Length - 2; i >= 0; i--)
        {
            if (tail[i] == 0xFF && tail[i + 1] == 0xD9)
            {
                return true;
            }
        }

        return false;
    }
}
