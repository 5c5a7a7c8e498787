using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.Rendering;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Animation;

/// <summary>
/// Stage 5 "AnimateView" (paper 3.3), one work item per (source view, clip) (parameters <c>source</c>, <c>clip</c>):
/// reads the fitted head of the shape prior, re-bakes its texture from the source view's enhanced image, the reference
/// portrait and the enhanced back view (<see cref="MultiViewTextureBaker"/>), resolves the clip into per-frame FLAME
/// parameters (the same for every view: synchronised), runs the requested video prior (<c>rig</c> or
/// <c>liveportrait</c>) and writes every frame and mask, the texture, a strip and <c>video.json</c>.
/// </summary>
public sealed class AnimateViewStageHandler(
    VideoPriorBackends backends,
    ClipLibraryProvider clips,
    HeadModelProvider headModels,
    IOptions<AnimationStageOptions> options,
    IOptions<ShapePriorStageOptions> shapePrior) : IStageHandler
{
    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.AnimateView;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends => backends.Names;

    /// <inheritdoc />
    public int ImplementationVersion => 1;

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [shapePrior.Value.FlameModelPath, options.Value.LivePortraitPath];

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var request = context.Request;
        var settings = request.Settings;
        var ct = context.CancellationToken;
        var o = options.Value;
        int source, clipIndex;
        try
        {
            source = request.IntParameter("source");
            clipIndex = request.IntParameter("clip");
        }
        catch (ArgumentException e)
        {
            throw new StageInputException("input-invalid", e.Message, e);
        }
        var backend = backends.Get(settings.VideoPriorBackend);
        var library = await clips.GetAsync(ct).ConfigureAwait(false);
        if (clipIndex < 0) throw new StageInputException("input-invalid", $"Clip index {clipIndex} is negative.");
        var clip = library.Get(clipIndex);
        context.Progress.Report(new JobProgress(0, 4, $"reading the fitted head and view {source}"));

        using var scene = await FittedHeadScene.ReadAsync(context, headModels, o.Device, o).ConfigureAwait(false);
        int back = settings.BackViewIndex;
        if (source < 0 || source >= scene.Views.Count)
            throw new StageInputException("input-invalid", $"Source view {source} is not among the shape prior's {scene.Views.Count} views.");
        var camera = scene.Views[source];
        var portrait = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.Preprocess, StageFiles.CropWhite)).ConfigureAwait(false), StageFiles.CropWhite);
        var portraitMask = StageImageCodec.ReadMask(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.Preprocess, StageFiles.Mask)).ConfigureAwait(false), StageFiles.Mask);
        var backImage = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(StageFiles.From(PipelineStage.EnhanceBackView, StageFiles.Image)).ConfigureAwait(false), StageFiles.Image);
        RgbImage sourceImage = source == 0
            ? portrait.Resize(camera.Width, camera.Height)
            : source == back
                ? backImage
                : StageImageCodec.ReadRgb(await context.ReadRequiredAsync($"{PipelineStage.EnhanceView.Slug()}/{PipelinePlan.ViewKey(source)}/{StageFiles.Image}").ConfigureAwait(false), StageFiles.Image);
        if (sourceImage.Width != camera.Width || sourceImage.Height != camera.Height)
            throw new StageInputException("input-invalid", $"The static image of view {source} is {sourceImage.Width}x{sourceImage.Height}; its camera is {camera.Width}x{camera.Height}.");

        // Texture re-bake: the source view first, then the reference portrait (crop resolution) and the back view.
        context.Progress.Report(new JobProgress(1, 4, "re-baking the texture from the enhanced views"));
        var rebakeClock = Stopwatch.StartNew();
        var observations = new List<TextureObservation>
        {
            new($"view {source}", sourceImage, camera, o.Texture.SourcePriority),
            new("reference portrait", portrait, scene.Fit.ReferenceCamera, o.Texture.ReferencePriority, portraitMask),
        };
        if (source != back) observations.Add(new("back view", backImage, scene.Views[back], o.Texture.BackPriority));
        var head = scene.Head;
        var neutral = head.Surface(head.NeutralMesh());
        HeadAppearance appearance;
        RgbImage? texture = null;
        double seen;
        if (scene.Texture is not null && head.HasUv)
        {
            (texture, seen) = MultiViewTextureBaker.Bake(neutral, head.Uv, head.SurfaceUvFaces(), scene.Texture, observations, o.Texture);
            appearance = head.Appearance(texture, palette: o.Palette);
        }
        else
        {
            var baseMesh = new TriangleMesh(neutral.Positions[..(3 * head.BaseVertexCount)], neutral.Triangles);
            (var colours, seen) = MultiViewTextureBaker.BakeVertexColours(baseMesh, scene.VertexColours!, observations, o.Texture);
            appearance = head.Appearance(null, colours, o.Palette);
        }
        double rebakeSeconds = rebakeClock.Elapsed.TotalSeconds;

        IReadOnlyList<FaceCraft4D.Animation.Rig.FlameFrame> frames;
        try
        {
            frames = head.Rig.Animate(clip, settings.FramesPerClip, head.Neutral);
        }
        catch (InvalidDataException e)
        {
            throw new StageInputException("input-invalid", $"Clip '{clip.Name}' cannot drive this head: {e.Message}", e);
        }

        context.Progress.Report(new JobProgress(2, 4, $"animating view {source} with clip '{clip.Name}' ({backend.Name}, {frames.Count} frames)"));
        var video = await backend.AnimateAsync(new AnimateViewJob(scene, source, camera, sourceImage, appearance, clip, frames), ct).ConfigureAwait(false);

        context.Progress.Report(new JobProgress(3, 4, "writing frames"));
        var outputs = new Dictionary<string, BlobRef>();
        async Task Write(string name, BinaryData data, string type) => outputs[name] = await context.WriteOutputAsync(name, data, type).ConfigureAwait(false);
        for (int t = 0; t < video.Images.Count; t++)
        {
            await Write(VideoStageFiles.Frame(t), StageImageCodec.Png(video.Images[t]), StageImageCodec.PngContentType).ConfigureAwait(false);
            await Write(VideoStageFiles.Mask(t), StageImageCodec.Png(video.Masks[t]), StageImageCodec.PngContentType).ConfigureAwait(false);
        }
        if (texture is not null) await Write(VideoStageFiles.Texture, StageImageCodec.Png(texture), StageImageCodec.PngContentType).ConfigureAwait(false);
        await Write(VideoStageFiles.Strip, StageImageCodec.Png(Strip(video.Images, o.StripFrames, o.StripHeight)), StageImageCodec.PngContentType).ConfigureAwait(false);
        var resampled = clip.Resampled(settings.FramesPerClip);
        var document = new VideoDocument(VideoDocument.FormatTag, source, clipIndex, clip.Name, clip.Description, video.Images.Count, resampled.Fps,
            camera.Width, camera.Height, camera,
            Enumerable.Range(0, video.Images.Count).Select(VideoStageFiles.Frame).ToArray(),
            Enumerable.Range(0, video.Images.Count).Select(VideoStageFiles.Mask).ToArray(),
            texture is null ? null : VideoStageFiles.Texture, scene.Fit.Model.Name, head.Shape, frames, video.Backend, video.DrivingSignal);
        outputs[VideoStageFiles.Video] = await context.WriteJsonOutputAsync(VideoStageFiles.Video, document).ConfigureAwait(false);
        context.Progress.Report(new JobProgress(4, 4, "done"));

        var metrics = video.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
        metrics["frames"] = video.Images.Count;
        metrics["texture_rebake_seconds"] = rebakeSeconds;
        metrics["texture_seen_fraction"] = seen;
        metrics["job_started_unix_ms"] = started.ToUnixTimeMilliseconds();
        metrics["job_completed_unix_ms"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        metrics["job_seconds"] = clock.Elapsed.TotalSeconds;
        var notes = new List<string>();
        if (!head.Layout.HasCavity) notes.Add("The head model has no open mouth boundary: no mouth cavity was added.");
        if (clipIndex >= library.Count) notes.Add($"Clip index {clipIndex} reuses clip {clipIndex % library.Count} ('{clip.Name}'): the worker has {library.Count} clips.");
        return new StageResult(outputs, video.Backend, context.WorkerVersion, metrics, notes);
    }

    /// <summary>Evenly spaced frames side by side at one height.</summary>
    private static RgbImage Strip(IReadOnlyList<RgbImage> frames, int count, int height)
    {
        int n = Math.Clamp(count, 1, frames.Count);
        var picked = Enumerable.Range(0, n).Select(i => frames[n == 1 ? 0 : i * (frames.Count - 1) / (n - 1)]).ToArray();
        int width = Math.Max(1, picked[0].Width * height / picked[0].Height);
        var strip = RgbImage.Filled(n * width, height, Vector3.One);
        for (int i = 0; i < n; i++)
        {
            var small = picked[i].Resize(width, height);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) strip[i * width + x, y] = small[x, y];
        }
        return strip;
    }
}
