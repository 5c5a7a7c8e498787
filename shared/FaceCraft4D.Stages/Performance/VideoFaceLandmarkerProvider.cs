using FaceCraft4D.Animation.Performance;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FaceCraft4D.Stages.Performance;

/// <summary>
/// The worker's video landmarker, loaded once: face-api.js detector and 68-point net (required: without them TrackVideo
/// fails with <see cref="BackendUnavailableException"/>) and FaceMesh (optional: without its weights the 68 points drive
/// the fit and the backend label says <c>face-api-68</c>).
/// </summary>
public sealed class VideoFaceLandmarkerProvider : IDisposable
{
    private readonly AsyncOnce<VideoFaceLandmarker> landmarker;

    /// <summary>Creates the provider (nothing is loaded yet).</summary>
    public VideoFaceLandmarkerProvider(IOptions<PerformanceStageOptions> options, ILogger<VideoFaceLandmarkerProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        landmarker = new AsyncOnce<VideoFaceLandmarker>(async ct =>
        {
            string folder;
            try
            {
                folder = FaceModelLocator.Resolve(o.FaceModelsPath);
            }
            catch (PreprocessException e)
            {
                throw new BackendUnavailableException($"TrackVideo needs the face-api.js networks: {e.Message}");
            }
            var detector = await TinyFaceDetector.LoadAsync(folder, new TinyFaceDetectorOptions { ScoreThreshold = o.MinFaceScore }, torch.CPU, ct).ConfigureAwait(false);
            var landmarks = await FaceLandmark68Detector.LoadAsync(folder, tiny: false, torch.CPU, ct).ConfigureAwait(false);
            FaceMeshLandmarker? mesh = null;
            if (o.FaceMesh.Enabled)
            {
                try
                {
                    mesh = await FaceMeshLandmarker.LoadAsync(o.FaceMesh, torch.CPU, ct).ConfigureAwait(false);
                }
                catch (FileNotFoundException e)
                {
                    logger.LogWarning("Video tracking without dense landmarks: {Reason}", e.Message);
                }
            }
            IDisposable[] owned = mesh is null ? [detector, landmarks] : [detector, landmarks, mesh];
            return new VideoFaceLandmarker(detector, landmarks, mesh, o.FaceMesh.MinFaceScore, owned);
        });
    }

    /// <summary>The landmarker (loaded on first use).</summary>
    public Task<VideoFaceLandmarker> GetAsync(CancellationToken cancellationToken) => landmarker.GetAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => landmarker.Dispose();
}
