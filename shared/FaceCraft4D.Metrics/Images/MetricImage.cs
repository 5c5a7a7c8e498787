using FaceCraft4D.Vision.Preprocessing.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Metrics.Images;

/// <summary>
/// Conversions between images and the metric tensor layout: RGB float32 [N, 3, H, W] with values in [0, 1].
/// </summary>
public static class MetricImage
{
    /// <summary>Image to [1, 3, H, W] float32 in [0, 1] on <paramref name="device"/>. Caller disposes.</summary>
    public static Tensor ToTensor(Image<Rgb24> image, Device? device = null)
    {
        int w = image.Width, h = image.Height, n = w * h;
        var pixels = new Rgb24[n];
        image.CopyPixelDataTo(pixels);
        var planar = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            planar[i] = pixels[i].R / 255f;
            planar[n + i] = pixels[i].G / 255f;
            planar[2 * n + i] = pixels[i].B / 255f;
        }
        var t = torch.tensor(planar, new long[] { 1, 3, h, w }, ScalarType.Float32);
        return device is null || device.type == DeviceType.CPU ? t : MoveAndDispose(t, device);
    }

    /// <summary>Stacks equally sized images to [N, 3, H, W]. Caller disposes.</summary>
    public static Tensor ToBatch(IEnumerable<Image<Rgb24>> images, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        var list = images.Select(i => ToTensor(i, device)).ToList();
        if (list.Count == 0) throw new ArgumentException("no images", nameof(images));
        return torch.cat(list, 0).MoveToOuterDisposeScope();
    }

    /// <summary>[3, H, W] or [1, 3, H, W] tensor in [0, 1] to an 8-bit image (rounded, clamped).</summary>
    public static Image<Rgb24> ToImage(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        var t = image.dim() == 4 ? image[0] : image;
        if (t.dim() != 3 || t.shape[0] != 3) throw new ArgumentException($"expected [3, H, W], got [{string.Join(", ", image.shape)}]", nameof(image));
        int h = (int)t.shape[1], w = (int)t.shape[2], n = h * w;
        var v = t.detach().to(ScalarType.Float32).cpu().Clamped(0, 1).Times(255f).round().contiguous().data<float>().ToArray();
        var pixels = new Rgb24[n];
        for (int i = 0; i < n; i++) pixels[i] = new Rgb24((byte)v[i], (byte)v[n + i], (byte)v[2 * n + i]);
        return Image.LoadPixelData<Rgb24>(pixels, w, h);
    }

    /// <summary>[3, H, W] or [1, 3, H, W] tensor in [0, 1] to the planar 0..255 buffer the face-api ports read.</summary>
    public static RgbImageBuffer ToRgbBuffer(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        var t = image.dim() == 4 ? image[0] : image;
        int h = (int)t.shape[1], w = (int)t.shape[2];
        var v = t.detach().to(ScalarType.Float32).cpu().Clamped(0, 1).Times(255f).contiguous().data<float>().ToArray();
        return new RgbImageBuffer(w, h, v);
    }

    /// <summary>Checks the metric layout: [N, 3, H, W] floating point.</summary>
    public static void RequireBatch(Tensor images, string name)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || !images.is_floating_point())
            throw new ArgumentException($"{name} must be float RGB [N, 3, H, W]; got {images.dtype} [{string.Join(", ", images.shape)}].", name);
    }

    /// <summary>Checks two batches have the same shape.</summary>
    public static void RequireSameShape(Tensor a, Tensor b)
    {
        RequireBatch(a, nameof(a));
        RequireBatch(b, nameof(b));
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"image batches differ in shape: [{string.Join(", ", a.shape)}] vs [{string.Join(", ", b.shape)}].");
    }

    private static Tensor MoveAndDispose(Tensor t, Device device)
    {
        using (t) return t.to(device);
    }
}
