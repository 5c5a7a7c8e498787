using System.Diagnostics;
using FaceCraft4D.Animation.Performance;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Video tracking throughput (issue 15): the TrackVideo work per frame at default settings (face detection, 68 landmarks,
/// FaceMesh attention, the per-frame FLAME fit against a fixed identity) on a synthetic moving-face video: the sample portrait
/// scaled to 512 px and moved by a smooth random similarity (shift, turn, zoom) per frame. Reports frames/s and peak RSS for
/// one tracker, then the fan-out speed-up: two chunks tracked one after the other by one tracker vs by two trackers on two
/// threads (each with its own networks; TorchSharp's intra-op threads set to 1 for both runs, so the comparison is
/// two single-threaded workers vs one). Options: --frames 40 (per chunk) --side 512.
/// </summary>
public sealed class VideoTrackingBenchmark : IBenchmark
{
    public string Name => "video-tracking";

    public string Description => "video tracking frames/s (landmarks + FLAME fit), peak RSS, fan-out speed-up with 2 parallel chunk trackers";

    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        int frames = Math.Max(2, a.GetInt("frames", 40));
        int side = a.GetInt("side", 512);
        var portraitPath = Path.Combine(RepoRoot(), "infra", "samples", "portrait.jpg");
        var video = MovingFace(portraitPath, 2 * frames, side);
        var model = ProceduralHeadModel.Create();
        var identity = new float[model.ShapeCount];
        var options = new PerformanceTrackerOptions();
        output.WriteLine($"video-tracking benchmark: {2 * frames} frames of {video[0].Width}x{video[0].Height} (sample portrait, moving), options: --frames N --fanout-only true; processors={Environment.ProcessorCount}, default PerformanceTrackerOptions, procedural head");
        PeakMemory.TryResetPeak();

        // Warm-up (graph loads, first-call costs) outside the timings.
        using (var warm = await LoadAsync(cancellationToken).ConfigureAwait(false))
        using (var t = new PerformanceTracker(model, identity, options, warm.HasDenseMesh))
            Track(warm, t, video.Take(3).ToArray(), cancellationToken);

        int defaultThreads = torch.get_num_threads();
        foreach (int threads in a.Get("fanout-only", "false") == "true" ? [] : new[] { defaultThreads, 1 }.Distinct())
        {
            torch.set_num_threads(threads);
            using var landmarker = await LoadAsync(cancellationToken).ConfigureAwait(false);
            using var tracker = new PerformanceTracker(model, identity, options, landmarker.HasDenseMesh);
            var (landmarkSeconds, fitSeconds, error) = Track(landmarker, tracker, video.Take(frames).ToArray(), cancellationToken);
            double total = landmarkSeconds + fitSeconds;
            output.WriteLine($"one tracker, torch threads {threads}: {frames / total,6:F2} frames/s  (landmarks {1000 * landmarkSeconds / frames,6:F0} ms/frame [{landmarker.LandmarkBackend}], fit {1000 * fitSeconds / frames,5:F0} ms/frame; mean error/IOD {error:F3})");
        }

        torch.set_num_threads(1);
        var chunks = new[] { video.Take(frames).ToArray(), video.Skip(frames).Take(frames).ToArray() };
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sequential = Stopwatch.StartNew();
        using (var landmarker = await LoadAsync(cancellationToken).ConfigureAwait(false))
        using (var tracker = new PerformanceTracker(model, identity, options, landmarker.HasDenseMesh))
            foreach (var chunk in chunks) Track(landmarker, tracker, chunk, cancellationToken);
        double sequentialSeconds = sequential.Elapsed.TotalSeconds;
        double sequentialCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;

        var pairs = new List<(VideoFaceLandmarker L, PerformanceTracker T)>();
        foreach (var _ in chunks)
        {
            var l = await LoadAsync(cancellationToken).ConfigureAwait(false);
            pairs.Add((l, new PerformanceTracker(model, identity, options, l.HasDenseMesh)));
        }
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        var parallel = Stopwatch.StartNew();
        await Task.WhenAll(chunks.Select((chunk, i) => Task.Factory.StartNew(() => Track(pairs[i].L, pairs[i].T, chunk, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))).ConfigureAwait(false);
        double parallelSeconds = parallel.Elapsed.TotalSeconds;
        double parallelCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu1).TotalSeconds;
        foreach (var (l, t) in pairs) { t.Dispose(); l.Dispose(); }
        torch.set_num_threads(defaultThreads);

        output.WriteLine($"fan-out, 2 chunks x {frames} frames, torch threads 1 each: sequential (1 tracker) {sequentialSeconds,6:F1} s = {2 * frames / sequentialSeconds:F2} frames/s;"
            + $" 2 trackers on 2 threads {parallelSeconds,6:F1} s = {2 * frames / parallelSeconds:F2} frames/s; speed-up x{sequentialSeconds / parallelSeconds:F2}");
        output.WriteLine($"  CPU seconds the process got: sequential {sequentialCpu:F1} ({sequentialCpu / sequentialSeconds:F2} cores on average), parallel {parallelCpu:F1} ({parallelCpu / parallelSeconds:F2} cores; load average {LoadAverage()})");
        output.WriteLine($"peak RSS {PeakMemory.PeakResidentBytes() / 1048576.0:F0} MiB (whole process: 3 landmarker sets loaded at the end)");
        foreach (var f in video) f.Dispose();
        model.Dispose();
        return 0;
    }

    private static (double Landmarks, double Fit, double Error) Track(VideoFaceLandmarker landmarker, PerformanceTracker tracker, IReadOnlyList<Image<Rgb24>> frames, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var observations = frames.Select((f, i) => landmarker.ObserveAsync(f, i, ct).GetAwaiter().GetResult()).ToArray();
        double landmarks = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var tracked = tracker.Track(observations, null, ct);
        double fit = clock.Elapsed.TotalSeconds;
        return (landmarks, fit, tracked.Where(f => f.Tracked).Select(f => f.ErrorIod).DefaultIfEmpty(double.NaN).Average());
    }

    private static async Task<VideoFaceLandmarker> LoadAsync(CancellationToken ct)
    {
        var folder = FaceModelLocator.Resolve(null);
        var detector = await TinyFaceDetector.LoadAsync(folder, new TinyFaceDetectorOptions { ScoreThreshold = 0.4 }, torch.CPU, ct).ConfigureAwait(false);
        var landmarks = await FaceLandmark68Detector.LoadAsync(folder, tiny: false, torch.CPU, ct).ConfigureAwait(false);
        var mesh = await FaceMeshLandmarker.LoadAsync(new FaceMeshOptions(), torch.CPU, ct).ConfigureAwait(false);
        return new VideoFaceLandmarker(detector, landmarks, mesh, 0.5, [detector, landmarks, mesh]);
    }

    /// <summary>The portrait (longer side <paramref name="side"/>) moved by a smooth similarity per frame: shift up to 6 %, turn up to 8 deg, zoom up to 6 %.</summary>
    private static List<Image<Rgb24>> MovingFace(string path, int count, int side)
    {
        using var photo = Image.Load<Rgb24>(path);
        photo.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(side, side), Mode = ResizeMode.Max }));
        var list = new List<Image<Rgb24>>(count);
        for (int t = 0; t < count; t++)
        {
            double s = t / 25.0;
            float angle = (float)(8 * Math.Sin(2 * Math.PI * s / 3.1));
            float zoom = (float)(1 + 0.06 * Math.Sin(2 * Math.PI * s / 2.3));
            int dx = (int)(0.06 * photo.Width * Math.Sin(2 * Math.PI * s / 1.7)), dy = (int)(0.04 * photo.Height * Math.Cos(2 * Math.PI * s / 2.9));
            var frame = photo.Clone(x => x.Rotate(angle).Resize((int)(photo.Width * zoom), (int)(photo.Height * zoom)));
            var canvas = new Image<Rgb24>(photo.Width, photo.Height, new Rgb24(128, 128, 128));
            canvas.Mutate(x => x.DrawImage(frame, new Point((photo.Width - frame.Width) / 2 + dx, (photo.Height - frame.Height) / 2 + dy), 1f));
            frame.Dispose();
            list.Add(canvas);
        }
        return list;
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "infra", "samples", "portrait.jpg"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
