using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Video;

/// <summary>Encodes frames into the files a user watches: an H.264 MP4 (with another video's audio kept) and a GIF.</summary>
public interface IVideoWriter
{
    /// <summary>
    /// Writes <paramref name="frames"/> (all the same size) at <paramref name="fps"/> as an H.264 MP4 (yuv420p, plays in
    /// browsers). When <paramref name="audioSourcePath"/> has an audio stream it is copied in, trimmed to the video.
    /// </summary>
    Task WriteMp4Async(IAsyncEnumerable<Image<Rgb24>> frames, double fps, string? audioSourcePath, string outputPath, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="frames"/> as a looping GIF at <paramref name="fps"/> (palette per file), longer side at most <paramref name="maxSide"/>.</summary>
    Task WriteGifAsync(IAsyncEnumerable<Image<Rgb24>> frames, double fps, int maxSide, string outputPath, CancellationToken cancellationToken);
}
