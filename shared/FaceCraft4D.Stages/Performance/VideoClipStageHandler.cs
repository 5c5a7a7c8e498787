using System.Diagnostics;
using System.Runtime.CompilerServices;
using FaceCraft4D.Animation.Performance;
using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Vision.Video;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using RigFrame = FaceCraft4D.Animation.Rig.FlameFrame;

using Names = FaceCraft4D.Contracts.VideoAnimationContract.Names;

namespace FaceCraft4D.Stages.Performance;

/// <summary>
/// Stage <see cref="PipelineStage.VideoClip"/> (the fan-in): reads every chunk's track, blends the chunk borders, fills gaps
/// and smooths (<see cref="TemporalSmoother"/>), refines every frame globally (<see cref="PerformanceFanIn.Refine"/>),
/// transfers the performance to the avatar (<see cref="ExpressionTransfer"/>, relative by default), and writes the clip
/// (<see cref="AnimationFile"/>, source <c>video</c>), the side-by-side previews (driving frame | avatar rendered with the
/// export stage's renderer, <see cref="CoinInference.Render"/>; MP4 with the source audio and GIF through
/// <see cref="IVideoWriter"/>) and <see cref="VideoAnimationContract.Files.Report"/>.
/// </summary>
public sealed class VideoClipStageHandler(
    IVideoReader reader,
    IVideoWriter writer,
    TrainingHeadLoader heads,
    IOptions<PerformanceStageOptions> options) : IStageHandler
{
    /// <summary>Backend label.</summary>
    public const string BackendName = "video-clip:relative-transfer+gaussian-avatar";

    /// <summary>The clip's source as the viewer lists it.</summary>
    public const string ClipSource = "video";

    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.VideoClip;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = [BackendName];

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
        string clipName = PerformanceStageInputs.Text(context, Names.ClipName, animation);
        double fps = PerformanceStageInputs.Fps(context);
        var mode = PerformanceStageInputs.Text(context, Names.Mode, "relative").ToLowerInvariant() switch
        {
            "relative" => ExpressionTransferMode.Relative,
            "absolute" => ExpressionTransferMode.Absolute,
            var other => throw new StageInputException("input-invalid", $"Parameter 'mode' = '{other}': use relative or absolute."),
        };
        int chunkCount = PerformanceStageInputs.Int(context, Names.ChunkCount);
        if (chunkCount < 1) throw new StageInputException("input-invalid", "Parameter 'chunks' must be at least 1.");

        const int steps = 6;
        context.Progress.Report(new JobProgress(0, steps, $"reading {chunkCount} chunk tracks"));
        var chunks = new List<PerformanceChunk>(chunkCount);
        for (int c = 0; c < chunkCount; c++)
        {
            var name = Names.ChunkTrack(c) + "/" + VideoAnimationContract.Files.TrackFile;
            if (!context.Request.Inputs.ContainsKey(name)) name = Names.ChunkTrack(c);
            var bytes = await context.ReadRequiredAsync(name).ConfigureAwait(false);
            try
            {
                using var stream = bytes.ToStream();
                chunks.Add(await PerformanceTrackFile.ReadAsync(stream, ct).ConfigureAwait(false));
            }
            catch (InvalidDataException e)
            {
                throw new StageInputException("input-invalid", $"{name}: {e.Message}", e);
            }
        }

        context.Progress.Report(new JobProgress(1, steps, "loading the avatar"));
        var (head, shape) = await PerformanceStageInputs.ReadIdentityAsync(context, heads).ConfigureAwait(false);
        using var headScope = head;
        var device = TrainingStageOptions.ResolveDevice(o.Device);
        using var flame = new FlameModel(head.Data, device);
        FlameGaussianAvatar avatar;
        using (var rigStream = (await context.ReadRequiredAsync(Names.Rig).ConfigureAwait(false)).ToStream())
        {
            try
            {
                avatar = await AvatarRigFile.ReadAvatarAsync(rigStream, flame, ct).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new StageInputException("input-invalid", $"{Names.Rig}: {e.Message}", e);
            }
        }
        using var avatarScope = avatar;

        context.Progress.Report(new JobProgress(2, steps, "smoothing and refining across chunks"));
        IReadOnlyList<PerformanceFrame> merged;
        IReadOnlyList<FaceObservation> observations;
        IReadOnlyList<PerformanceFrame> smoothed;
        try
        {
            (merged, observations) = PerformanceFanIn.Merge(chunks);
            smoothed = PerformanceFanIn.Smooth(merged, o.Tracker);
        }
        catch (InvalidDataException e)
        {
            throw new StageInputException("input-invalid", $"The chunk tracks do not fit together: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new StageInputException("no-face", e.Message, e);
        }
        bool dense = observations.Any(x => x.Dense is not null);
        using var tracker = new PerformanceTracker(head.Data, shape, o.Tracker, dense);
        var refineProgress = new Progress<int>(n => context.Progress.Report(new JobProgress(2, steps, $"refining: frame {n}/{smoothed.Count}")));
        var refined = await Task.Run(() => PerformanceFanIn.Refine(tracker, smoothed, observations, refineProgress, ct), ct).ConfigureAwait(false);

        int reference = mode == ExpressionTransferMode.Relative ? ExpressionTransfer.ReferenceFrame(refined, fps, o.Tracker.NeutralSearchSeconds) : -1;
        var neutral = head.StaticFrame;
        var avatarNeutral = new RigFrame(neutral.Expression, neutral.Jaw, [0, 0, 0], neutral.Eyes, [0, 0, 0]);
        var transferred = ExpressionTransfer.Apply(refined, mode, Math.Max(0, reference), avatarNeutral, flame.ExpressionCount, o.Tracker.MaxTranslation);
        // The avatar keeps its static pose (global rotation and translation of the portrait fit) and adds the performance on top.
        var frames = transferred.Select(f => new FlameFrame(f.Expression, f.Jaw, f.Neck, f.Eyes, neutral.GlobalRotation,
            neutral.Translation.Zip(f.Translation, (a, b) => a + b).ToArray())).ToList();
        var clip = new AnimationClip(clipName, fps, ClipSource, frames);

        context.Progress.Report(new JobProgress(3, steps, "writing the clip"));
        var outputs = new Dictionary<string, BlobRef>();
        var file = AnimationFile.Build(avatar, clip, o.AnimationHalfPrecision, ct);
        file.Metadata["animation"] = animation;
        file.Metadata["transfer"] = mode == ExpressionTransferMode.Relative ? "relative" : "absolute";
        outputs[VideoAnimationContract.Files.Clip] = await context.WriteOutputAsync(VideoAnimationContract.Files.Clip, new BinaryData(file.ToArray()), StageImageCodec.BinaryContentType).ConfigureAwait(false);

        context.Progress.Report(new JobProgress(4, steps, "rendering the side-by-side previews"));
        var cameras = await StaticViewReader.ReadCamerasAsync(context).ConfigureAwait(false);
        var camera = cameras[0].Resized(o.PreviewSize, o.PreviewSize);
        var videoPath = await PerformanceStageInputs.DownloadVideoAsync(context).ConfigureAwait(false);
        var mp4Path = Path.Combine(Path.GetTempPath(), $"fc4d-preview-{Guid.NewGuid():N}.mp4");
        var gifPath = Path.ChangeExtension(mp4Path, ".gif");
        var gifFrames = new List<Image<Rgb24>>();
        int gifLimit = (int)Math.Ceiling(o.GifMaxSeconds * fps);
        try
        {
            var composed = SideBySide(videoPath, avatar, flame, camera, clip.Frames, fps, o.PreviewSize, gifFrames, gifLimit, context, ct);
            await writer.WriteMp4Async(composed, fps, videoPath, mp4Path, ct).ConfigureAwait(false);
            await writer.WriteGifAsync(Enumerate(gifFrames), fps, o.GifMaxSide, gifPath, ct).ConfigureAwait(false);
            outputs[VideoAnimationContract.Files.PreviewMp4] = await context.WriteOutputAsync(VideoAnimationContract.Files.PreviewMp4,
                new BinaryData(await File.ReadAllBytesAsync(mp4Path, ct).ConfigureAwait(false)), "video/mp4").ConfigureAwait(false);
            outputs[VideoAnimationContract.Files.PreviewGif] = await context.WriteOutputAsync(VideoAnimationContract.Files.PreviewGif,
                new BinaryData(await File.ReadAllBytesAsync(gifPath, ct).ConfigureAwait(false)), "image/gif").ConfigureAwait(false);
        }
        finally
        {
            foreach (var g in gifFrames) g.Dispose();
            File.Delete(videoPath);
            File.Delete(mp4Path);
            File.Delete(gifPath);
        }

        context.Progress.Report(new JobProgress(5, steps, "writing the report"));
        var jaw = refined.Select(f => (double)f.Jaw[0]).ToArray();
        var lips = observations.Select(x => x.InnerLipOpening).ToArray();
        double correlation = PerformanceFanIn.Pearson(jaw, lips);
        var trackedErrors = refined.Where(f => f.Tracked).Select(f => f.ErrorIod).ToArray();
        double meanError = trackedErrors.Length > 0 ? trackedErrors.Average() : double.NaN;
        int withFace = observations.Count(x => x.HasFace), several = observations.Count(x => x.FacesFound > 1);
        var warnings = new List<string>();
        if (several > 0) warnings.Add($"Several faces on {several} of {observations.Count} frames: the largest face was tracked.");
        if (withFace < observations.Count) warnings.Add($"No face on {observations.Count - withFace} of {observations.Count} frames: interpolated from their neighbours.");
        if (double.IsFinite(correlation) && correlation < o.LowCorrelationWarning)
            warnings.Add($"The tracked jaw follows the speaker's lips weakly (correlation {correlation:F2}): check the preview.");
        var landmarkBackend = string.Join("+", chunks.Select(c => c.LandmarkBackend).Distinct());
        var report = new VideoClipReportDocument("fc4d-video-clip-report/1", animation, clipName, fps, frames.Count, withFace, several,
            double.IsFinite(meanError) ? meanError : null, double.IsFinite(correlation) ? correlation : null,
            mode == ExpressionTransferMode.Relative ? "relative" : "absolute", reference >= 0 ? reference : null,
            $"chunk borders cross-faded linearly over 2 x overlap frames; gaps interpolated linearly; zero-phase Gaussian, sigma {o.Tracker.ExpressionSmoothingFrames} frames (expression, jaw, eyes) and {o.Tracker.PoseSmoothingFrames} frames (head pose)",
            o.Tracker.RefinementIterations, landmarkBackend, BackendName, warnings,
            refined.Select((f, t) => new VideoClipFrameReport(f.Frame, f.Tracked, observations[t].FacesFound, f.Tracked ? f.ErrorIod : null,
                double.IsFinite(lips[t]) ? lips[t] : null, f.Jaw[0])).ToArray());
        outputs[VideoAnimationContract.Files.Report] = await context.WriteJsonOutputAsync(VideoAnimationContract.Files.Report, report).ConfigureAwait(false);
        context.Progress.Report(new JobProgress(steps, steps, "done"));

        var metrics = new Dictionary<string, double>
        {
            ["frames"] = frames.Count,
            ["frames_with_face"] = withFace,
            ["several_faces_frames"] = several,
            ["chunks"] = chunkCount,
            ["job_seconds"] = clock.Elapsed.TotalSeconds,
        };
        if (double.IsFinite(meanError)) metrics["mean_error_iod"] = meanError;
        if (double.IsFinite(correlation)) metrics["jaw_lip_correlation"] = correlation;
        if (reference >= 0) metrics["reference_frame"] = reference;
        return new StageResult(outputs, BackendName, context.WorkerVersion, metrics, warnings);
    }

    /// <summary>
    /// Driving frame (scaled to the preview height) beside the avatar rendered for the same frame, streamed to the writer; the
    /// first <paramref name="gifLimit"/> composed frames are also kept (scaled) for the GIF. Each yielded image is disposed when
    /// the writer asks for the next one.
    /// </summary>
    private async IAsyncEnumerable<Image<Rgb24>> SideBySide(string videoPath, FlameGaussianAvatar avatar, FlameModel flame, Camera camera,
        IReadOnlyList<FlameFrame> frames, double fps, int size, List<Image<Rgb24>> gifFrames, int gifLimit, StageJobContext context,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var rasterizer = new GaussianRasterizer();
        double[] white = [1.0, 1.0, 1.0];
        Image<Rgb24>? previous = null;
        int t = 0;
        try
        {
            await foreach (var driving in reader.ReadFramesAsync(videoPath, new VideoReadRequest(fps, 2 * size, 0, frames.Count), ct).ConfigureAwait(false))
            {
                using (driving)
                {
                    if (t >= frames.Count) yield break;
                    Image<Rgb24> rendered;
                    using (var scope = torch.NewDisposeScope())
                    using (torch.no_grad())
                    {
                        var output = CoinInference.Render(rasterizer, avatar, null, camera, white, frames[t].ToParameters(flame, avatar.Shape));
                        rendered = ImageTensors.ToImage(output.Image);
                    }
                    using (rendered)
                    {
                        int drivingWidth = Math.Max(2, (int)Math.Round(driving.Image.Width * (double)size / driving.Image.Height / 2) * 2);
                        using var scaled = driving.Image.Clone(x => x.Resize(drivingWidth, size));
                        var composed = new Image<Rgb24>(drivingWidth + size, size, new Rgb24(255, 255, 255));
                        composed.Mutate(x => x.DrawImage(scaled, new Point(0, 0), 1f).DrawImage(rendered, new Point(drivingWidth, 0), 1f));
                        if (gifFrames.Count < gifLimit) gifFrames.Add(composed.Clone());
                        previous?.Dispose();
                        previous = composed;
                    }
                }
                t++;
                context.Progress.Report(new JobProgress(t, frames.Count, $"preview: frame {t}/{frames.Count}"));
                yield return previous;
            }
        }
        finally
        {
            previous?.Dispose();
        }
    }

    private static async IAsyncEnumerable<Image<Rgb24>> Enumerate(IReadOnlyList<Image<Rgb24>> images)
    {
        foreach (var image in images)
        {
            await Task.Yield();
            yield return image;
        }
    }
}
