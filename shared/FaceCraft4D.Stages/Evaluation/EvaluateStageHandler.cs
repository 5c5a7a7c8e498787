using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Protocol;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Stages.ShapePrior;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// Stage 10 "Evaluate" (paper 4, supp. 7): renders the exported avatar (its rig, exactly what users get: since pipeline
/// version 3 TrainCoin's avatar put through the export's own bake and rig writer in memory, so it runs beside Export) with the
/// paper's protocol — the reference view, five static views, driven expressions from several views — and computes
/// PSNR/SSIM/MS-SSIM/LPIPS against the reference photo and ID/CLIP-I/FID features across views
/// (<see cref="EvaluationMetricsCalculator"/>). Writes <c>avatars/{runId}/metrics.json</c>; every metric records the
/// model that produced it or why it was skipped (e.g. LPIPS without weights in the models store).
/// </summary>
public sealed class EvaluateStageHandler(TrainingHeadLoader heads, EvaluationModels models, IOptions<EvaluateStageOptions> options,
    IOptions<ShapePriorStageOptions> shapePrior, IOptions<ExportStageOptions> export) : IStageHandler
{
    /// <summary>Backend name.</summary>
    public const string BackendName = "fc4d-eval-protocol";

    /// <summary>The avatar folder file written.</summary>
    public const string MetricsFile = "metrics.json";

    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.Evaluate;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = [BackendName];

    /// <inheritdoc />
    public int ImplementationVersion => 3; // 2: the reference portrait is cut from the lower lip down (ReferencePortrait); 3: reads TrainCoin's avatar (exported in memory) when Export's rig is not an input

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [shapePrior.Value.FlameModelPath, .. EvaluationModels.WeightPaths(options.Value.Models.Models)];

    private const string ReferenceViewName = "reference";

    /// <summary>Export's rig, the avatar evaluated in runs started before pipeline version 3 (newer runs give TrainCoin's avatar instead).</summary>
    private static string RigInput => StageFiles.From(PipelineStage.Export, ExportFiles.RigTensors);

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        var ct = context.CancellationToken;
        var o = options.Value;
        // Renders at the protocol's resolution (not the training RenderSize, whose upsampled render would be compared with an
        // equally blurred target).
        var size = o.ImageSize > 0 ? o.ImageSize : o.Protocol.Protocol.ImageSize;
        var device = TrainingStageOptions.ResolveDevice(o.Device);
        context.Progress.Report(new JobProgress(0, 3, "loading the exported avatar and the metric models"));
        using var head = await heads.LoadAsync(context).ConfigureAwait(false);
        using var flame = new FlameModel(head.Data, device);
        FlameGaussianAvatar avatar;
        if (context.Request.Inputs.ContainsKey(RigInput))
        {
            // Runs started before pipeline version 3 evaluate after the export, from its rig file.
            using var rig = (await context.ReadRequiredAsync(RigInput).ConfigureAwait(false)).ToStream();
            avatar = await ReadRigAsync(rig, flame, ct).ConfigureAwait(false);
        }
        else
        {
            // Beside the export: TrainCoin's avatar baked and written as the export writes its rig, and read back from
            // memory, so the render is of the same rig the export stores.
            var (trained, _) = await ExportStageHandler.ReadTrainedAsync(context, flame, export.Value.BakeReferenceOffsets).ConfigureAwait(false);
            using (trained)
            using (var tensors = new MemoryStream())
            using (var manifest = new MemoryStream())
            {
                await AvatarRigFile.WriteAsync(trained.Avatar, tensors, manifest, ct).ConfigureAwait(false);
                tensors.Position = 0;
                avatar = await ReadRigAsync(tensors, flame, ct).ConfigureAwait(false);
            }
        }

        var metricModels = await models.GetAsync(ct).ConfigureAwait(false);
        var cameras = await StaticViewReader.ReadCamerasAsync(context).ConfigureAwait(false);
        // The target is the training target of view 0 (the crop without the torso the head avatar does not model), resized once.
        var portrait = await ReferencePortrait.ReadAsync(context).ConfigureAwait(false);
        using var reference = portrait.Image.ToImage();
        reference.Mutate(x => x.Resize(size, size, KnownResamplers.Bicubic));
        var orbit = ExportStageHandler.Turntable(cameras[0], head.Fit.Orbit.Pivot, new ExportStageOptions { TurntableSize = size, TurntableFrames = 1 });
        var rasterizer = new GaussianRasterizer();
        var portraitFrame = head.StaticFrame;
        var pose = head.Fit.HeadPose;
        var rendered = 0;
        Image<Rgb24>? referenceRender = null;

        Image<Rgb24> Render(CameraSpec spec)
        {
            ct.ThrowIfCancellationRequested();
            // Each view's render and metric networks run on this thread: both cores while the evaluation runs alone.
            context.TorchThreads?.Apply();
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            // The reference view is seen by the shape prior's fitted reference camera (the one the avatar was trained
            // against); the other protocol views orbit the head's pivot at their yaw and pitch.
            var camera = spec.ViewName == ReferenceViewName && spec.Expression is null
                ? cameras[0].Resized(spec.ImageSize, spec.ImageSize)
                : OrbitCameras.CreateAtYaw(
                new OrbitCameraOptions
                {
                    Width = spec.ImageSize, Height = spec.ImageSize, Radius = orbit.Radius, FovYDegrees = orbit.FovYDegrees,
                    ElevationDegrees = spec.PitchDegrees, TargetX = orbit.TargetX, TargetY = orbit.TargetY, TargetZ = orbit.TargetZ,
                },
                spec.YawDegrees, spec.ViewName);
            var frame = spec.Expression is { } e
                ? portraitFrame with { Expression = e.Expression, Jaw = Padded(e.JawPose, 3), Neck = Padded(e.NeckPose, 3), Eyes = Padded(e.EyePose, 6) }
                : portraitFrame;
            var gaussians = avatar.Evaluate(frame.ToParameters(flame, avatar.Shape));
            var image = rasterizer.Render(gaussians, camera, ones(3, device: device)).Image; // [H,W,3] over white
            context.Progress.Report(new JobProgress(1, 3, $"rendered {++rendered} protocol views"));
            var result = ImageTensors.ToImage(image.to(CPU));
            if (spec.ViewName == ReferenceViewName && referenceRender is null) referenceRender = result.Clone();
            return result;
        }

        context.Progress.Report(new JobProgress(1, 3, "rendering the protocol and computing the metrics"));
        using (avatar)
        try
        {
            var document = await new EvaluationMetricsCalculator(metricModels, o.Protocol).ComputeAsync(
                new EvaluationInputs(context.Request.RunId, reference, CameraSpec.FromHeadPose(ReferenceViewName, pose.YawDegrees, pose.PitchDegrees, size)),
                Render, ct).ConfigureAwait(false);
            context.Progress.Report(new JobProgress(2, 3, "writing metrics.json"));
            var metrics = await context.Blobs.WriteAsync(
                StorageLayout.AvatarArtifact(context.Request.RunId, MetricsFile), BinaryData.FromString(MetricsJson.Serialize(document)),
                "application/json", ct).ConfigureAwait(false);
            var outputs = new Dictionary<string, BlobRef> { [MetricsFile] = metrics };
            if (referenceRender is not null)
            {
                using var target = reference.Clone(x => x.Resize(referenceRender.Width, referenceRender.Height));
                using var sheet = ReferenceComparisonSheet.Compose(target, referenceRender);
                outputs[ReferenceComparisonSheet.FileName] = await context.Blobs.WriteAsync(
                    StorageLayout.AvatarArtifact(context.Request.RunId, ReferenceComparisonSheet.FileName), StageImageCodec.Encode(sheet),
                    StageImageCodec.PngContentType, ct).ConfigureAwait(false);
            }
            if (o.ContactSheetTileSize > 0)
            {
                context.Progress.Report(new JobProgress(2, 3, "rendering the contact sheet"));
                foreach (var (name, blob) in await new ContactSheetWriter(context.Blobs, o.ContactSheetTileSize).WriteAsync(
                             context.Request.RunId, BackendName, reference,
                             view => Render(new CameraSpec(view.Name, view.YawDegrees, 0, o.ContactSheetTileSize)), ct).ConfigureAwait(false))
                {
                    outputs[name] = blob;
                }
            }

            var figures = document.Metrics.Values
                .Where(m => m.Value is { } v && double.IsFinite(v))
                .ToDictionary(m => m.Metric, m => m.Value!.Value);
            var notes = document.Metrics.Values.Where(m => m.IsSkipped).Select(m => $"{m.Metric} skipped: {m.SkippedReason}").ToList();
            notes.Add(portrait.TorsoRemoved
                ? $"Reference target: the aligned crop with the torso below the chin and outside the head model's silhouette set to white ({portrait.ChangedPixels} px of {portrait.Image.Width}x{portrait.Image.Height})."
                : "Reference target: the aligned crop as it is (no landmarks or head silhouette among the inputs).");
            return new StageResult(outputs, BackendName, context.WorkerVersion, figures, notes);
        }
        finally
        {
            referenceRender?.Dispose();
        }
    }

    private static async Task<FlameGaussianAvatar> ReadRigAsync(Stream rig, FlameModel flame, CancellationToken ct)
    {
        try
        {
            return await AvatarRigFile.ReadAvatarAsync(rig, flame, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new StageInputException("input-invalid", $"The exported rig cannot be read: {e.Message}", e);
        }
    }

    private static float[] Padded(float[]? values, int length)
    {
        var result = new float[length];
        if (values is not null)
        {
            Array.Copy(values, result, Math.Min(values.Length, length));
        }

        return result;
    }
}
