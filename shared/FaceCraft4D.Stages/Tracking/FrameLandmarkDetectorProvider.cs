using FaceCraft4D.Animation.Tracking;
using FaceCraft4D.Vision.Preprocessing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Tracking;

/// <summary>
/// The worker's frame landmark detector (face-api.js networks loaded once). When the weights are missing the tracker
/// runs without landmarks (photometric term only) and says so in its notes; that is not an error.
/// </summary>
public sealed class FrameLandmarkDetectorProvider : IDisposable
{
    private readonly AsyncOnce<FrameLandmarkDetector?> detector;

    /// <summary>Creates the provider (nothing is loaded yet).</summary>
    public FrameLandmarkDetectorProvider(IOptions<TrackingStageOptions> options, ILogger<FrameLandmarkDetectorProvider> logger)
    {
        var o = options.Value.Landmarks;
        detector = new AsyncOnce<FrameLandmarkDetector?>(async ct =>
        {
            if (!o.Enabled) return null;
            try
            {
                return await FrameLandmarkDetector.LoadAsync(o, ct).ConfigureAwait(false);
            }
            catch (PreprocessException e)
            {
                logger.LogWarning("Frame landmarks disabled: {Reason}", e.Message);
                return null;
            }
        });
    }

    /// <summary>The detector, or null when landmarks are disabled or unavailable.</summary>
    public Task<FrameLandmarkDetector?> GetAsync(CancellationToken cancellationToken) => detector.GetAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => detector.Dispose();
}
