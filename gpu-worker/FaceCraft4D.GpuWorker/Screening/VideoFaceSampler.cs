using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Preprocess;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Video;
using TorchSharp;

namespace FaceCraft4D.GpuWorker.Screening;

/// <summary>Faces found on frames sampled evenly across a video.</summary>
/// <param name="FramesSampled">Frames looked at.</param>
/// <param name="FramesWithFace">Frames with at least one face.</param>
/// <param name="FramesWithSeveralFaces">Frames with more than one face.</param>
/// <param name="MostFaces">Most faces on one frame.</param>
/// <param name="Backend">The detector.</param>
public sealed record VideoFaceSample(int FramesSampled, int FramesWithFace, int FramesWithSeveralFaces, int MostFaces, string Backend);

/// <summary>
/// Samples about <see cref="SampleFrames"/> frames spread over a video (the reader resampled to <c>n / duration</c> fps)
/// and counts faces on each with the face-api.js tiny face detector that the Preprocess stage uses (its configured model
/// folder and thresholds), loaded once per worker on first use.
/// </summary>
public sealed class VideoFaceSampler : IDisposable
{
    /// <summary>Frames sampled per video.</summary>
    public const int SampleFrames = 8;

    /// <summary>Longest side the sampled frames are decoded at (enough for the detector's 416 px input).</summary>
    public const int SampleSide = 640;

    private readonly IVideoReader reader;
    private readonly AsyncOnce<TinyFaceDetector> detector;
    private readonly SemaphoreSlim oneAtATime = new(1, 1); // one detector instance per worker; screens are short

    /// <summary>Creates the sampler (nothing is loaded yet).</summary>
    public VideoFaceSampler(IVideoReader reader, PortraitPreprocessorProvider preprocess)
    {
        this.reader = reader;
        var options = preprocess.Options;
        detector = new AsyncOnce<TinyFaceDetector>(async ct =>
        {
            var folder = FaceModelLocator.TryResolve(options.FaceModelsPath)
                ?? throw new BackendUnavailableException($"The face detector weights are not available in this worker: {FaceModelLocator.InstallHint}");
            return await TinyFaceDetector.LoadAsync(folder, options.TinyFaceDetector, torch.device(options.Device), ct).ConfigureAwait(false);
        });
    }

    /// <summary>Counts faces on frames sampled across the video at <paramref name="path"/> lasting <paramref name="duration"/>.</summary>
    public async Task<VideoFaceSample> SampleAsync(string path, TimeSpan duration, CancellationToken cancellationToken)
    {
        var faceDetector = await detector.GetAsync(cancellationToken).ConfigureAwait(false);
        var fps = SampleFrames / Math.Max(duration.TotalSeconds, 1e-3);
        int sampled = 0, withFace = 0, several = 0, most = 0;
        await oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var request = new VideoReadRequest(fps, SampleSide, 0, SampleFrames);
            await foreach (var frame in reader.ReadFramesAsync(path, request, cancellationToken).ConfigureAwait(false))
            {
                using (frame)
                {
                    var faces = await faceDetector.DetectAsync(RgbImageBuffer.FromImage(frame.Image), cancellationToken).ConfigureAwait(false);
                    sampled++;
                    withFace += faces.Count > 0 ? 1 : 0;
                    several += faces.Count > 1 ? 1 : 0;
                    most = Math.Max(most, faces.Count);
                }
            }
        }
        finally
        {
            oneAtATime.Release();
        }

        return new VideoFaceSample(sampled, withFace, several, most, faceDetector.BackendName);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        detector.Dispose();
        oneAtATime.Dispose();
    }
}
