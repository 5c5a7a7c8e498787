using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Graphics.Export;

/// <summary>Conversions between image tensors ([H, W, 3] floats in [0, 1]) and ImageSharp images.</summary>
public static class ImageTensors
{
    /// <summary>Converts an [H, W, 3] tensor (any device, values clamped to [0, 1]) into an 8-bit RGB image.</summary>
    public static Image<Rgb24> ToImage(Tensor rgb)
    {
        if (rgb.ndim != 3 || rgb.shape[2] != 3) throw new ArgumentException("Expected an [H, W, 3] tensor.", nameof(rgb));
        int h = (int)rgb.shape[0], w = (int)rgb.shape[1];
        byte[] bytes;
        using (var scope = torch.NewDisposeScope())
        {
            var b = rgb.detach().to_type(ScalarType.Float32).Clamped(0, 1).Times(255.0).Plus(0.5).floor().to_type(ScalarType.Byte).cpu().contiguous();
            bytes = b.bytes.ToArray();
        }
        return Image.LoadPixelData<Rgb24>(bytes, w, h);
    }

    /// <summary>Converts an RGB image into an [H, W, 3] float32 tensor in [0, 1].</summary>
    public static Tensor FromImage(Image<Rgb24> image, Device? device = null)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        using var scope = torch.NewDisposeScope();
        var t = torch.tensor(bytes, new long[] { image.Height, image.Width, 3 }, ScalarType.Byte).to_type(ScalarType.Float32).DividedBy(255.0); // [H, W, 3]
        return (device is null ? t : t.to(device)).MoveToOuterDisposeScope();
    }

    /// <summary>Writes an [H, W, 3] tensor as PNG.</summary>
    public static async Task SavePngAsync(Tensor rgb, Stream stream, CancellationToken cancellationToken = default)
    {
        using var image = ToImage(rgb);
        await image.SaveAsPngAsync(stream, cancellationToken).ConfigureAwait(false);
    }
}
