using System.Diagnostics;
using FaceCraft4D.Animation.Performance;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using TorchSharp;

namespace FaceCraft4D.Animation.Tests.Performance;

/// <summary>
/// The synthetic talking face tracked once for the test class, the way the two stages do it: landmarks per frame
/// (FaceMesh attention seeded by face-api's 68), three chunks of 12 frames with 3 frames of overlap tracked
/// independently (each written to and read back from its track file), then the fan-in (merge, smoothing, refinement).
/// </summary>
public sealed class TrackedTalkingFace : IDisposable
{
    public const int ChunkFrames = 12;
    public const int Overlap = 3;

    public TrackedTalkingFace()
    {
        var clock = Stopwatch.StartNew();
        Video = new TalkingFaceVideo();
        RenderSeconds = clock.Elapsed.TotalSeconds;
        var mesh = FaceMeshLandmarker.LoadAsync(new FaceMeshOptions(), torch.CPU, CancellationToken.None).GetAwaiter().GetResult();
        Landmarker = new VideoFaceLandmarker(Video.Detector, Video.Landmarks, mesh, owned: [mesh]);
        Options = new PerformanceTrackerOptions();
        Tracker = new PerformanceTracker(Video.Model, Video.AvatarShape, Options, useDense: true);
        clock.Restart();
        Observations = Video.Frames.Select((f, i) => Landmarker.ObserveAsync(f, i, CancellationToken.None).GetAwaiter().GetResult()).ToArray();
        LandmarkSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        Chunks = ChunkRange.Plan(TalkingFaceVideo.FrameCount, ChunkFrames, Overlap).Select(range =>
        {
            var observed = Observations.Skip(range.TrackFirst).Take(range.TrackCount).ToArray();
            var chunk = new PerformanceChunk(range, Tracker.Track(observed, null, CancellationToken.None), observed, Landmarker.LandmarkBackend);
            using var stream = new MemoryStream(PerformanceTrackFile.Build(chunk).ToArray());
            return PerformanceTrackFile.ReadAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
        }).ToArray();
        TrackSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        (Merged, MergedObservations) = PerformanceFanIn.Merge(Chunks);
        Smoothed = PerformanceFanIn.Smooth(Merged, Options);
        Refined = PerformanceFanIn.Refine(Tracker, Smoothed, MergedObservations, null, CancellationToken.None);
        FanInSeconds = clock.Elapsed.TotalSeconds;
        InnerLips = Video.InnerLipOpeningsAsync().GetAwaiter().GetResult();
    }

    public TalkingFaceVideo Video { get; }
    public VideoFaceLandmarker Landmarker { get; }
    public PerformanceTrackerOptions Options { get; }
    public PerformanceTracker Tracker { get; }
    public IReadOnlyList<FaceObservation> Observations { get; }
    public IReadOnlyList<PerformanceChunk> Chunks { get; }
    public IReadOnlyList<PerformanceFrame> Merged { get; }
    public IReadOnlyList<FaceObservation> MergedObservations { get; }
    public IReadOnlyList<PerformanceFrame> Smoothed { get; }
    public IReadOnlyList<PerformanceFrame> Refined { get; }
    public double[] InnerLips { get; }
    public double RenderSeconds { get; }
    public double LandmarkSeconds { get; }
    public double TrackSeconds { get; }
    public double FanInSeconds { get; }

    public void Dispose()
    {
        Tracker.Dispose();
        Landmarker.Dispose();
        Video.Dispose();
    }
}
