using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>Stage 1 of the pipeline ("Preprocess", paper supp. 6.1).</summary>
public interface IPortraitPreprocessor : IDisposable
{
    /// <summary>Detects the face, places 68 landmarks, aligns a centred crop, mattes it and estimates the camera.</summary>
    /// <exception cref="PreprocessException">no face, face too small, extreme rotation, invalid image</exception>
    Task<PreprocessResult> PreprocessAsync(Image<Rgb24> photo, PreprocessOptions options, CancellationToken ct);

    /// <summary>Same for any pixel format (grayscale photos get their channel replicated).</summary>
    Task<PreprocessResult> PreprocessAsync(Image photo, PreprocessOptions options, CancellationToken ct);
}
