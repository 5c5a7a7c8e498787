using FaceCraft4D.Vision.Preprocessing;
using SixLabors.ImageSharp;

namespace FaceCraft4D.Stages.Preprocess;

/// <summary>
/// Screens a photo with exactly the checks of stage 1 (face detection, size, rotation; the worker's
/// <see cref="IPortraitPreprocessor"/> at a small crop size), so that a photo refused here is one the Preprocess
/// stage would refuse, with the same reason codes.
/// </summary>
public sealed class PreprocessingPortraitScreener(PortraitPreprocessorProvider provider) : IPortraitScreener
{
    /// <summary>Crop size used for screening (the verdict does not depend on it).</summary>
    public const int ScreeningCropSize = 256;

    /// <inheritdoc />
    public async Task<PortraitScreening> ScreenAsync(BinaryData image, CancellationToken cancellationToken)
    {
        Image photo;
        try
        {
            photo = Image.Load(image.ToArray());
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            return new PortraitScreening(false, "invalid-image", $"The photo is not a readable image: {e.Message}", 0, PreprocessStageHandler.BackendName, []);
        }

        using (photo)
        {
            var preprocessor = await provider.GetAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var result = await preprocessor
                    .PreprocessAsync(photo, PreprocessStageHandler.ForCropSize(provider.Options, ScreeningCropSize), cancellationToken)
                    .ConfigureAwait(false);
                return new PortraitScreening(true, null, "A usable face was found.", result.FacesDetected, result.DetectorBackend, result.Warnings);
            }
            catch (PreprocessException e) when (e.IsUserError)
            {
                return new PortraitScreening(false, e.Code.Replace('_', '-'), e.Message, 0, PreprocessStageHandler.BackendName, []);
            }
        }
    }
}
