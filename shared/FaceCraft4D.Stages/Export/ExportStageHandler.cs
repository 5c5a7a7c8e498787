using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Stages.ShapePrior;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Export;

/// <summary>
/// Stage 9 "Export": the final avatar files in <c>avatars/{runId}/</c> from TrainCoin's avatar (<c>train-coin/avatar-state.safetensors</c>):
/// <c>avatar.ply</c> (canonical pose, standard 3DGS layout), the rig (<c>avatar_rig.safetensors</c> + <c>.json</c>), the turntable
/// (<c>preview/turntable_NN.png</c> + <c>preview/turntable.gif</c>, around the shape prior's orbit pivot with the portrait's
/// expression), per-frame expression data for the viewer (<c>animation/{clip}.safetensors</c> + <c>animation/index.json</c>, see
/// <see cref="AnimationFile"/>; the tracked clips of <c>track-flame</c>, or a synthetic <c>demo</c> clip when there are none), a few
/// posed <c>frames/{clip}/{frame}.ply</c>, <c>preview/animation.gif</c> and <c>export.json</c>. With COIN the reference view's colour
/// offsets are baked into the colours (paper: inference uses the reference embedding for every view).
/// </summary>
public sealed class ExportStageHandler(TrainingHeadLoader heads, ITrackedVideoSource videos, IOptions<ExportStageOptions> options,
    IOptions<ShapePriorStageOptions> shapePrior) : IStageHandler
{
    /// <summary>Input name of the trained avatar.</summary>
    public static string AvatarInput => StageFiles.From(PipelineStage.TrainCoin, TrainingFiles.AvatarState);

    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.Export;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = ["gaussian-avatar-export"];

    /// <inheritdoc />
    public int ImplementationVersion => 1;

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [shapePrior.Value.FlameModelPath];

    /// <summary>
    /// TrainCoin's avatar as the export writes it: read from <see cref="AvatarInput"/>, with the reference view's COIN offsets
    /// baked into the colours when <paramref name="bake"/> and the avatar has COIN (Baked says whether they were).
    /// Evaluate uses the same (<see cref="Evaluation.EvaluateStageHandler"/>), so it renders what users get without waiting for the export.
    /// </summary>
    public static async Task<(CoinAvatar Trained, bool Baked)> ReadTrainedAsync(StageJobContext context, FlameModel flame, bool bake)
    {
        ArgumentNullException.ThrowIfNull(context);
        CoinAvatar trained;
        using (var stream = (await context.ReadRequiredAsync(AvatarInput).ConfigureAwait(false)).ToStream())
        {
            try
            {
                trained = await CoinAvatarFile.ReadAsync(stream, flame, context.CancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new StageInputException("input-invalid", $"{AvatarInput}: {e.Message}", e);
            }
        }
        bool baked = trained.Appearance is not null && bake;
        if (baked) CoinInference.BakeReferenceOffsets(trained.Avatar, trained.Appearance!);
        return (trained, baked);
    }

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = options.Value.Validated();
        var ct = context.CancellationToken;
        var runId = context.Request.RunId;
        var device = TrainingStageOptions.ResolveDevice(o.Device);
        context.Progress.Report(new JobProgress(0, 5, "reading the trained avatar"));
        using var head = await heads.LoadAsync(context).ConfigureAwait(false);
        using var flame = new FlameModel(head.Data, device);
        var (trained, baked) = await ReadTrainedAsync(context, flame, o.BakeReferenceOffsets).ConfigureAwait(false);
        using var _ = trained;
        var avatar = trained.Avatar;

        var outputs = new Dictionary<string, BlobRef>();
        async Task Write(string name, byte[] bytes, string type) =>
            outputs[name] = await context.Blobs.WriteAsync(StorageLayout.AvatarArtifact(runId, name), new BinaryData(bytes), type, ct).ConfigureAwait(false);
        const string binary = StageImageCodec.BinaryContentType;

        context.Progress.Report(new JobProgress(1, 5, "writing avatar.ply and the rig"));
        await Write(ExportFiles.Ply, await PlyBytesAsync(avatar, null, ct).ConfigureAwait(false), binary).ConfigureAwait(false);
        using (var tensors = new MemoryStream())
        using (var manifest = new MemoryStream())
        {
            await AvatarRigFile.WriteAsync(avatar, tensors, manifest, ct).ConfigureAwait(false);
            await Write(ExportFiles.RigTensors, tensors.ToArray(), binary).ConfigureAwait(false);
            await Write(ExportFiles.RigManifest, manifest.ToArray(), "application/json").ConfigureAwait(false);
        }

        context.Progress.Report(new JobProgress(2, 5, "rendering the turntable"));
        var cameras = await StaticViewReader.ReadCamerasAsync(context).ConfigureAwait(false);
        var rasterizer = new GaussianRasterizer();
        double[] white = [1.0, 1.0, 1.0];
        var portraitFrame = head.StaticFrame.ToParameters(flame, avatar.Shape);
        var frames = TurntableRenderer.Render(avatar, Turntable(cameras[0], head.Fit.Orbit.Pivot, o), rasterizer, white, portraitFrame, ct);
        try
        {
            for (int k = 0; k < frames.Count; k++) await Write(ExportFiles.TurntableFrame(k), Png(frames[k]), StageImageCodec.PngContentType).ConfigureAwait(false);
            await Write(ExportFiles.TurntableGif, await GifAsync(frames, o.GifFrameDelay, ct).ConfigureAwait(false), "image/gif").ConfigureAwait(false);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }

        context.Progress.Report(new JobProgress(3, 5, "posing the animation frames"));
        var set = await videos.ReadAsync(context, cameras).ConfigureAwait(false);
        var clips = set.Clips.Count > 0
            ? set.Clips.Select(c => new AnimationClip($"clip-{c.Clip:D2}", c.Fps, "track-flame", c.Frames)).Where(c => c.Frames.Count > 0).ToList()
            : [AnimationClip.Demo(o.DemoClipFrames, flame.ExpressionCount)];
        var entries = new List<AnimationClipEntry>();
        foreach (var clip in clips)
        {
            var file = AnimationFile.Build(avatar, clip, o.AnimationHalfPrecision, ct);
            await Write(ExportFiles.Animation(clip.Name), file.ToArray(), binary).ConfigureAwait(false);
            var posed = new List<string>();
            foreach (var f in PosedFrames(clip.Frames.Count, o.PosedPlyPerClip))
            {
                var name = ExportFiles.PosedPly(clip.Name, f);
                await Write(name, await PlyBytesAsync(avatar, clip.Frames[f].ToParameters(flame, avatar.Shape), ct).ConfigureAwait(false), binary).ConfigureAwait(false);
                posed.Add(name);
            }
            entries.Add(new AnimationClipEntry(clip.Name, ExportFiles.Animation(clip.Name), clip.Frames.Count, clip.Fps, clip.Source, posed));
        }
        var index = AnimationFile.Index(avatar, o.AnimationHalfPrecision, entries);
        await Write(ExportFiles.AnimationIndex, AnimationFile.IndexJson(index), "application/json").ConfigureAwait(false);

        context.Progress.Report(new JobProgress(4, 5, "rendering the animation preview"));
        if (o.AnimationPreviewSize > 0 && clips.Count > 0)
        {
            var camera = cameras[0].Resized(o.AnimationPreviewSize, o.AnimationPreviewSize);
            var images = new List<Image<Rgb24>>();
            try
            {
                foreach (var frame in clips[0].Frames)
                {
                    ct.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    var output = CoinInference.Render(rasterizer, avatar, null, camera, white, frame.ToParameters(flame, avatar.Shape));
                    images.Add(ImageTensors.ToImage(output.Image));
                }
                await Write(ExportFiles.AnimationGif, await GifAsync(images, Math.Max(1, (int)Math.Round(100 / clips[0].Fps)), ct).ConfigureAwait(false), "image/gif").ConfigureAwait(false);
            }
            finally
            {
                foreach (var image in images) image.Dispose();
            }
        }

        const string backend = "gaussian-avatar-export";
        var trainedBy = trained.Metadata.TryGetValue("backend", out var b) ? b : "unknown";
        var summary = new ExportSummaryDocument(backend, avatar.Parameters.Count, avatar.Parameters.MaxShDegree, head.Source,
            baked ? "consistent+reference-offsets" : "consistent", trainedBy, outputs.Keys.Order(StringComparer.Ordinal).ToArray(), AvatarRigFile.ConventionText);
        await Write(ExportFiles.Summary, BinaryData.FromObjectAsJson(summary, ContractJson.Indented).ToArray(), "application/json").ConfigureAwait(false);
        context.Progress.Report(new JobProgress(5, 5, "done"));

        var notes = new List<string>();
        if (set.Clips.Count == 0) notes.Add("No tracked clips (track-flame/tracking.json): the animation folder holds a synthetic demo clip.");
        if (baked) notes.Add("The reference view's COIN colour offsets are baked into the exported colours.");
        var metrics = new Dictionary<string, double>
        {
            ["gaussians"] = avatar.Parameters.Count,
            ["clips"] = clips.Count,
            ["turntable_frames"] = o.TurntableFrames,
            ["coin_baked"] = baked ? 1 : 0,
        };
        return new StageResult(outputs, backend, context.WorkerVersion, metrics, notes);
    }

    /// <summary>The turntable orbit: around the orbit pivot at the reference camera's distance, height and field of view.</summary>
    public static OrbitCameraOptions Turntable(Camera reference, double[] pivot, ExportStageOptions o)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var target = new Vector3d(pivot[0], pivot[1], pivot[2]);
        var d = reference.Position - target;
        double radius = d.Length;
        return new OrbitCameraOptions
        {
            ViewCount = o.TurntableFrames, Width = o.TurntableSize, Height = o.TurntableSize, Radius = radius,
            FovYDegrees = reference.Intrinsics.FovYDegrees,
            ElevationDegrees = Math.Asin(Math.Clamp(d.Y / radius, -1, 1)) * 180 / Math.PI,
            StartYawDegrees = Math.Atan2(d.X, d.Z) * 180 / Math.PI,
            TargetX = target.X, TargetY = target.Y, TargetZ = target.Z,
        };
    }

    private static IEnumerable<int> PosedFrames(int count, int wanted) =>
        wanted <= 0 || count == 0 ? [] : Enumerable.Range(0, Math.Min(wanted, count)).Select(i => (2 * i + 1) * count / (2 * Math.Min(wanted, count))).Distinct();

    private static async Task<byte[]> PlyBytesAsync(FlameGaussianAvatar avatar, FlameParameters? frame, CancellationToken ct)
    {
        PlyGaussians ply;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var p = avatar.Parameters;
            var g = avatar.Evaluate(frame);
            ply = GaussianPlyFile.FromTensors(g.Means, p.ShCoefficients(), p.OpacityLogits, g.Scales.log(), g.Quaternions);
        }
        using var stream = new MemoryStream();
        await GaussianPlyFile.WriteAsync(ply, stream, ct).ConfigureAwait(false);
        return stream.ToArray();
    }

    private static byte[] Png(Image<Rgb24> image)
    {
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static async Task<byte[]> GifAsync(IReadOnlyList<Image<Rgb24>> frames, int delay, CancellationToken ct)
    {
        using var stream = new MemoryStream();
        await TurntableRenderer.WriteGifAsync(frames, stream, delay, ct).ConfigureAwait(false);
        return stream.ToArray();
    }
}
