using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Export;

/// <summary>Renders an avatar from an orbit of cameras (preview frames) and encodes them as PNG / animated GIF.</summary>
public static class TurntableRenderer
{
    /// <summary>One image per orbit view (ViewCount frames), avatar posed by <paramref name="frame"/> (null = canonical).</summary>
    public static List<Image<Rgb24>> Render(IGaussianAvatar avatar, OrbitCameraOptions orbit, GaussianRasterizer rasterizer,
        double[] background, FlameParameters? frame = null, CancellationToken cancellationToken = default)
    {
        var images = new List<Image<Rgb24>>();
        foreach (var camera in OrbitCameras.Create(orbit))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var p = avatar.Parameters;
            var bg = torch.tensor(background, p.Positions.dtype, p.Device);
            var output = rasterizer.Render(avatar.Evaluate(frame), camera, bg);
            images.Add(ImageTensors.ToImage(output.Image));
        }
        return images;
    }

    /// <summary>Writes the frames as a looping animated GIF (delay in hundredths of a second).</summary>
    public static async Task WriteGifAsync(IReadOnlyList<Image<Rgb24>> frames, Stream stream, int frameDelayCentiseconds = 8, CancellationToken cancellationToken = default)
    {
        if (frames.Count == 0) throw new ArgumentException("No frames.", nameof(frames));
        using var gif = frames[0].Clone();
        gif.Metadata.GetGifMetadata().RepeatCount = 0;
        gif.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = frameDelayCentiseconds;
        for (int i = 1; i < frames.Count; i++)
        {
            var added = gif.Frames.AddFrame(frames[i].Frames.RootFrame);
            added.Metadata.GetGifMetadata().FrameDelay = frameDelayCentiseconds;
        }
        await gif.SaveAsGifAsync(stream, cancellationToken).ConfigureAwait(false);
    }
}
