using System.Diagnostics;
using FaceCraft4D.Animation.Performance;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Vision.Video;
using Microsoft.Extensions.Options;

using Names = FaceCraft4D.Contracts.VideoAnimationContract.Names;

namespace FaceCraft4D.Stages.Performance;

/// <summary>
/// Stage <see cref="PipelineStage.TrackVideo"/> (one work item per chunk of frames): decodes the chunk's frames
/// [first - overlap, first + count + overlap) of the uploaded video through <see cref="IVideoReader"/> (resampled to the
/// job's frame rate, upright), finds the largest face and its landmarks on each (<see cref="VideoFaceLandmarker"/>) and fits
/// FLAME expression, jaw, eyes and head pose against the avatar's own identity (<see cref="PerformanceTracker"/>).
/// Writes <see cref="VideoAnimationContract.Files.TrackFile"/> (<see cref="PerformanceTrackFile"/>) and
/// <see cref="VideoAnimationContract.Files.TrackSummary"/>. Inputs: the video, the rig and <see cref="PerformanceStageInputs.RunInputs"/>.
/// </summary>
public sealed class TrackVideoStageHandler(
    IVideoReader reader,
    TrainingHeadLoader heads,
    VideoFaceLandmarkerProvider landmarkers,
    IOptions<PerformanceStageOptions> options) : IStageHandler
{
    /// <summary>Backend label prefix; the landmark backend follows (<c>video-tracker:facemesh-attention</c>).</summary>
    public const string BackendPrefix = "video-tracker:";

    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.TrackVideo;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = [BackendPrefix + "facemesh-attention", BackendPrefix + "facemesh", BackendPrefix + "face-api-68"];

    /// <inheritdoc />
    public int ImplementationVersion => 1;

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [];

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var clock = Stopwatch.StartNew();
        var o = options.Value.Validated();
        var ct = context.CancellationToken;
        string animation = PerformanceStageInputs.Text(context, Names.AnimationId, context.Request.Key);
        double fps = PerformanceStageInputs.Fps(context);
        ChunkRange range;
        try
        {
            range = new ChunkRange(PerformanceStageInputs.Int(context, Names.FirstFrame), PerformanceStageInputs.Int(context, Names.FrameCount),
                PerformanceStageInputs.Int(context, Names.Overlap, VideoAnimationContract.DefaultChunkOverlap), PerformanceStageInputs.Int(context, Names.TotalFrames)).Validated();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new StageInputException("input-invalid", $"Chunk range parameters are inconsistent: {e.Message}", e);
        }

        context.Progress.Report(new JobProgress(0, range.TrackCount + 1, "loading the avatar's identity and the face networks"));
        var (head, shape) = await PerformanceStageInputs.ReadIdentityAsync(context, heads).ConfigureAwait(false);
        using var _ = head;
        var landmarker = await landmarkers.GetAsync(ct).ConfigureAwait(false);
        var path = await PerformanceStageInputs.DownloadVideoAsync(context).ConfigureAwait(false);
        var observations = new List<FaceObservation>(range.TrackCount);
        var decodeClock = Stopwatch.StartNew();
        try
        {
            var request = new VideoReadRequest(fps, o.TrackingMaxSide, range.TrackFirst, range.TrackCount);
            await foreach (var frame in reader.ReadFramesAsync(path, request, ct).ConfigureAwait(false))
            {
                using (frame)
                {
                    // Landmark networks are not thread-safe: one frame at a time per worker (the provider's instance is shared).
                    observations.Add(await landmarker.ObserveAsync(frame.Image, frame.Index, ct).ConfigureAwait(false));
                }
                context.Progress.Report(new JobProgress(observations.Count, 2L * range.TrackCount + 1, $"landmarks: frame {observations.Count}/{range.TrackCount}"));
            }
        }
        catch (InvalidVideoException e)
        {
            throw new StageInputException(e.ReasonCode, e.Message, e);
        }
        finally
        {
            File.Delete(path);
        }
        double decodeSeconds = decodeClock.Elapsed.TotalSeconds;
        if (observations.Count != range.TrackCount)
            throw new StageInputException("input-invalid", $"The video gave {observations.Count} frames for [{range.TrackFirst}, {range.TrackEnd}); the job expected {range.TrackCount} (total_frames {range.TotalFrames}).");

        var trackClock = Stopwatch.StartNew();
        using var tracker = new PerformanceTracker(head.Data, shape, o.Tracker, landmarker.HasDenseMesh);
        var progress = new Progress<int>(n => context.Progress.Report(new JobProgress(range.TrackCount + n, 2L * range.TrackCount + 1, $"fitting: frame {n}/{range.TrackCount}")));
        var frames = await Task.Run(() => tracker.Track(observations, progress, ct), ct).ConfigureAwait(false);
        double trackSeconds = trackClock.Elapsed.TotalSeconds;
        var chunk = new PerformanceChunk(range, frames, observations, landmarker.LandmarkBackend);

        string backend = BackendPrefix + landmarker.LandmarkBackend;
        var notes = new List<string>();
        int several = chunk.SeveralFacesFrames, withFace = observations.Count(x => x.HasFace);
        if (several > 0) notes.Add($"Several faces on {several} of {observations.Count} frames: the largest face was tracked.");
        if (withFace < observations.Count) notes.Add($"No face on {observations.Count - withFace} of {observations.Count} frames: they are interpolated at the fan-in.");
        if (!landmarker.HasDenseMesh) notes.Add("No FaceMesh weights in this worker: tracked with the 68 face-api landmarks.");
        var outputs = new Dictionary<string, BlobRef>
        {
            [VideoAnimationContract.Files.TrackFile] = await context.WriteOutputAsync(VideoAnimationContract.Files.TrackFile,
                new BinaryData(PerformanceTrackFile.Build(chunk).ToArray()), StageImageCodec.BinaryContentType).ConfigureAwait(false),
        };
        double mean = chunk.MeanErrorIod;
        var summary = new TrackSummaryDocument(PerformanceTrackFile.FormatTag, animation, range.First, range.Count, range.Overlap, range.TotalFrames,
            range.TrackFirst, range.TrackCount, withFace, several, double.IsNaN(mean) ? null : mean, fps,
            observations.Count > 0 ? observations[0].Width : 0, observations.Count > 0 ? observations[0].Height : 0,
            landmarker.LandmarkBackend, landmarker.Backend, backend, notes);
        outputs[VideoAnimationContract.Files.TrackSummary] = await context.WriteJsonOutputAsync(VideoAnimationContract.Files.TrackSummary, summary).ConfigureAwait(false);
        context.Progress.Report(new JobProgress(2L * range.TrackCount + 1, 2L * range.TrackCount + 1, "done"));
        var metrics = new Dictionary<string, double>
        {
            ["frames"] = range.TrackCount,
            ["frames_with_face"] = withFace,
            ["several_faces_frames"] = several,
            ["decode_and_landmark_seconds"] = decodeSeconds,
            ["fit_seconds"] = trackSeconds,
            ["frames_per_second"] = range.TrackCount / Math.Max(1e-9, clock.Elapsed.TotalSeconds),
            ["job_seconds"] = clock.Elapsed.TotalSeconds,
        };
        if (!double.IsNaN(mean)) metrics["mean_error_iod"] = mean;
        return new StageResult(outputs, backend, context.WorkerVersion, metrics, notes);
    }
}
