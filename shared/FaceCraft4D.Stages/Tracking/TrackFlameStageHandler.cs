using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Animation.Tracking;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Stages.Animation;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FaceCraft4D.Stages.Tracking;

/// <summary>
/// Stage 6 "TrackFlame" (fan-in, supp. 6.3): reads every animate-view video, detects 68 landmarks on each frame of the
/// views facing the camera (face-api.js port; side views and rejected detections rely on the photometric term),
/// downsamples the frames to the tracking resolution and runs <see cref="FlameTracker"/> with the run's iteration
/// counts (TrackingFirstFrameIterations, TrackingPerFrameIterations, TrackingGlobalEpochs). Writes
/// <c>tracking.json</c> (per clip and frame: expression, jaw, neck, eyes, translation; shared shape), the tracked
/// static offsets, the source cameras, the detections and an overlay for people.
/// </summary>
public sealed class TrackFlameStageHandler(
    HeadModelProvider headModels,
    FrameLandmarkDetectorProvider landmarkDetectors,
    IOptions<AnimationStageOptions> animationOptions,
    IOptions<TrackingStageOptions> options,
    IOptions<ShapePriorStageOptions> shapePrior) : IStageHandler
{
    /// <summary>Backend name recorded with the outputs.</summary>
    public const string BackendName = "flame-tracker:gaussian-splats";

    private const string VideoPrefix = "animate-view/";

    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.TrackFlame;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = [BackendName];

    /// <inheritdoc />
    public int ImplementationVersion => 1;

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [shapePrior.Value.FlameModelPath];

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var settings = context.Request.Settings;
        var ct = context.CancellationToken;
        var o = options.Value;
        var keys = context.Request.Inputs.Keys
            .Where(k => k.StartsWith(VideoPrefix, StringComparison.Ordinal) && k.EndsWith("/" + VideoStageFiles.Video, StringComparison.Ordinal))
            .Select(k => k[VideoPrefix.Length..^(VideoStageFiles.Video.Length + 1)])
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (keys.Length == 0) throw new StageInputException("input-missing", "TrackFlame received no animate-view videos.");
        context.Progress.Report(new JobProgress(0, 3, $"reading {keys.Length} videos"));

        using var scene = await FittedHeadScene.ReadAsync(context, headModels, animationOptions.Value.Device, animationOptions.Value).ConfigureAwait(false);
        var head = scene.Head;
        var detector = await landmarkDetectors.GetAsync(ct).ConfigureAwait(false);
        var notes = new List<string>();
        if (detector is null) notes.Add("No face-api.js landmark weights in this worker: tracked with the photometric term only.");

        var videos = new List<TrackingVideo>();
        var documents = new List<(string Key, VideoDocument Video)>();
        var landmarkReport = new List<LandmarkVideoDocument>();
        var decodeClock = Stopwatch.StartNew();
        foreach (var key in keys)
        {
            var doc = await context.ReadRequiredJsonAsync<VideoDocument>($"{VideoPrefix}{key}/{VideoStageFiles.Video}").ConfigureAwait(false);
            documents.Add((key, doc));
            HeadAppearance appearance = doc.Texture is { Length: > 0 } textureFile
                ? head.Appearance(StageImageCodec.ReadRgb(await context.ReadRequiredAsync($"{VideoPrefix}{key}/{textureFile}").ConfigureAwait(false), textureFile), palette: animationOptions.Value.Palette)
                : head.Appearance(scene.Texture, scene.VertexColours, animationOptions.Value.Palette);
            double yaw = YawDegrees(doc.Camera);
            bool search = detector is not null && Math.Abs(yaw) <= o.Landmarks.MaxYawDegrees;
            var expected = search ? ExpectedLandmarks(head, doc.DrivingParameters, doc.Camera) : null;
            var frames = new List<TrackingFrame>();
            var detections = new List<LandmarkFrameDocument>();
            for (int t = 0; t < doc.Frames.Count; t++)
            {
                ct.ThrowIfCancellationRequested();
                var image = StageImageCodec.ReadRgb(await context.ReadRequiredAsync($"{VideoPrefix}{key}/{doc.Frames[t]}").ConfigureAwait(false), doc.Frames[t]);
                var mask = StageImageCodec.ReadMask(await context.ReadRequiredAsync($"{VideoPrefix}{key}/{doc.Masks[t]}").ConfigureAwait(false), doc.Masks[t]);
                var detection = search ? await detector!.DetectAsync(image, expected![t], ct).ConfigureAwait(false) : LandmarkDetection.Skipped;
                detections.Add(new LandmarkFrameDocument(t, detection.Outcome, detection.Score, double.IsNaN(detection.Deviation) ? null : detection.Deviation, detection.Landmarks));
                frames.Add(TrackingFrame.FromResized(image, mask, detection.Landmarks, o.Tracker.MaxResolution));
            }
            landmarkReport.Add(new LandmarkVideoDocument(key, doc.Source, doc.ClipIndex, yaw, detections));
            videos.Add(new TrackingVideo(doc.ClipIndex, doc.Source, doc.Camera, appearance, frames));
        }
        double decodeSeconds = decodeClock.Elapsed.TotalSeconds;

        context.Progress.Report(new JobProgress(1, 3, $"tracking {videos.Count} videos"));
        var schedule = new TrackingSchedule(settings.TrackingFirstFrameIterations, settings.TrackingPerFrameIterations, settings.TrackingGlobalEpochs, settings.Seed);
        var progress = new Progress<TrackingProgress>(p => context.Progress.Report(new JobProgress(p.Done, p.Total, $"{p.Phase}: step {p.Done}/{p.Total}",
            new Dictionary<string, double> { ["loss"] = p.Loss })));
        var tracker = new FlameTracker(head, o.Tracker);
        var result = await Task.Run(() => tracker.Track(videos, schedule, progress, ct), ct).ConfigureAwait(false);

        context.Progress.Report(new JobProgress(2, 3, "writing"));
        var outputs = new Dictionary<string, BlobRef>();
        async Task Write(string name, BinaryData data, string type) => outputs[name] = await context.WriteOutputAsync(name, data, type).ConfigureAwait(false);
        var sourceCameras = documents.GroupBy(d => d.Video.Source).OrderBy(g => g.Key)
            .Select(g => g.First().Video.Camera with { Name = $"orbit_{g.Key:D2}" }).ToArray();
        await Write(VideoStageFiles.Cameras, BinaryData.FromString(new CameraSet(sourceCameras).ToJson()), "application/json").ConfigureAwait(false);
        await Write(VideoStageFiles.Offsets, new BinaryData(Bytes(result.Offsets)), StageImageCodec.BinaryContentType).ConfigureAwait(false);
        outputs[VideoStageFiles.Landmarks] = await context.WriteJsonOutputAsync(VideoStageFiles.Landmarks, landmarkReport).ConfigureAwait(false);
        var clips = result.Frames.GroupBy(f => f.Clip).OrderBy(g => g.Key).Select(g =>
        {
            var clipVideos = documents.Where(d => d.Video.ClipIndex == g.Key).ToArray();
            return new TrackedClipDocument(g.Key, clipVideos[0].Video.ClipName, clipVideos[0].Video.Fps, g.Count(),
                clipVideos.ToDictionary(d => d.Video.Source.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), d => $"{VideoPrefix}{d.Key}/"),
                g.OrderBy(f => f.Frame).Select(f => new TrackedFrameDocument(f.Frame, f.Parameters.Expression, f.Parameters.Jaw, f.Parameters.Neck,
                    f.Parameters.Eyes, f.Parameters.Translation, f.Photometric, double.IsNaN(f.LandmarkErrorPixels) ? null : f.LandmarkErrorPixels, f.LandmarkViews)).ToArray());
        }).ToArray();
        var metrics = result.Metrics.Where(kv => !double.IsNaN(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value);
        metrics["videos"] = videos.Count;
        metrics["decode_and_detect_seconds"] = decodeSeconds;
        metrics["landmark_frames_detected"] = landmarkReport.Sum(v => v.Frames.Count(f => f.Outcome == "detected"));
        metrics["landmark_frames_searched"] = landmarkReport.Sum(v => v.Frames.Count(f => f.Outcome != "skipped"));
        metrics["expression_spread_across_views"] = ExpressionSpread(documents.Select(d => d.Video).ToArray());
        var document = new TrackingDocument(TrackingDocument.FormatTag, scene.Fit.Model, head.Model.ExpressionCount, result.Shape, [0, 0, 0],
            VideoStageFiles.Offsets, VideoStageFiles.Cameras, clips, BackendName, metrics);
        outputs[VideoStageFiles.Tracking] = await context.WriteJsonOutputAsync(VideoStageFiles.Tracking, document).ConfigureAwait(false);
        var overlay = Overlay(head, result, videos, o.OverlayFrames, animationOptions.Value.Render);
        if (overlay is not null) await Write(VideoStageFiles.Overlay, StageImageCodec.Png(overlay), StageImageCodec.PngContentType).ConfigureAwait(false);

        metrics["job_started_unix_ms"] = started.ToUnixTimeMilliseconds();
        metrics["job_completed_unix_ms"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        metrics["job_seconds"] = clock.Elapsed.TotalSeconds;
        context.Progress.Report(new JobProgress(3, 3, "done"));
        return new StageResult(outputs, BackendName, context.WorkerVersion, metrics, notes);
    }

    /// <summary>Yaw of a camera around the head (degrees; 0 = frontal, positive toward the subject's left).</summary>
    public static double YawDegrees(Camera camera)
    {
        var f = camera.Extrinsics.Forward;
        return Math.Atan2(-f.X, -f.Z) * 180 / Math.PI;
    }

    /// <summary>Spread of the driving expressions of the same clip across views (0 when every view got the same frames).</summary>
    private static double ExpressionSpread(IReadOnlyList<VideoDocument> videos)
    {
        double worst = 0;
        foreach (var clip in videos.GroupBy(v => v.ClipIndex))
        {
            var list = clip.ToArray();
            for (int i = 1; i < list.Length; i++)
                for (int t = 0; t < Math.Min(list[0].DrivingParameters.Count, list[i].DrivingParameters.Count); t++)
                {
                    var a = list[0].DrivingParameters[t].Expression;
                    var b = list[i].DrivingParameters[t].Expression;
                    for (int k = 0; k < Math.Min(a.Length, b.Length); k++) worst = Math.Max(worst, Math.Abs(a[k] - b[k]));
                }
        }
        return worst;
    }

    /// <summary>The model's landmarks for every frame projected by the camera (iBUG order, NaN where the model has none).</summary>
    private static float[][] ExpectedLandmarks(AnimatableHead head, IReadOnlyList<FlameFrame> frames, Camera camera)
    {
        var ibug = LandmarkCorrespondence.ForModel(head.Model.LandmarkCount).IbugIndices;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (_, landmarks) = head.Posed.Forward(head.Posed.Parameters(head.Shape, frames), head.Offsets);
        var values = landmarks.to(torch.ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        int l = ibug.Count;
        var result = new float[frames.Count][];
        for (int t = 0; t < frames.Count; t++)
        {
            var points = Enumerable.Repeat(float.NaN, 136).ToArray();
            for (int m = 0; m < l; m++)
            {
                int o = (t * l + m) * 3;
                var (u, v, _) = camera.Project(new Vector3d(values[o], values[o + 1], values[o + 2]));
                points[2 * ibug[m]] = (float)u;
                points[2 * ibug[m] + 1] = (float)v;
            }
            result[t] = points;
        }
        return result;
    }

    /// <summary>The first clip's first video: frames on top, the tracked head (shape prior identity) below.</summary>
    private static RgbImage? Overlay(AnimatableHead head, TrackingResult result, IReadOnlyList<TrackingVideo> videos, int count, FrameRenderOptions render)
    {
        var video = videos.OrderBy(v => v.Clip).ThenBy(v => v.View).FirstOrDefault();
        if (video is null || count <= 0) return null;
        var tracked = result.Frames.Where(f => f.Clip == video.Clip).OrderBy(f => f.Frame).ToArray();
        int n = Math.Min(count, Math.Min(tracked.Length, video.Frames.Count));
        if (n == 0) return null;
        var picks = Enumerable.Range(0, n).Select(i => n == 1 ? 0 : i * (tracked.Length - 1) / (n - 1)).ToArray();
        int w = video.Frames[0].Width, h = video.Frames[0].Height;
        var camera = video.Camera.Resized(w, h);
        var meshes = head.Meshes(picks.Select(i => tracked[i].Parameters).ToArray());
        var sheet = RgbImage.Filled(n * w, 2 * h, Vector3.One);
        for (int i = 0; i < n; i++)
        {
            var frame = video.Frames[picks[i]];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int p = 3 * (y * w + x);
                    sheet[i * w + x, y] = new Vector3(frame.Rgb[p], frame.Rgb[p + 1], frame.Rgb[p + 2]) / 255f;
                }
            var rendered = TexturedHeadRenderer.Render(meshes[i], video.Appearance, camera, render).Image;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) sheet[i * w + x, h + y] = rendered[x, y];
        }
        return sheet;
    }

    private static byte[] Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }
}
