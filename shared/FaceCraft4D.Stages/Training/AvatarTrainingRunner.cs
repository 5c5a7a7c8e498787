using System.Diagnostics;
using System.Globalization;
using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// The part TrainStatic and TrainCoin share: builds the COIN hooks (or none for plain training), runs the trainer as a
/// resumable job (<see cref="ResumableTraining"/>: state in <c>training-state.bin</c> under the work item's prefix, saved every
/// <c>CheckpointEvery</c> iterations and on cancellation, resumed when the same job is submitted again), reports
/// <see cref="JobProgress"/> (iteration, losses, ETA, <c>ResumedFrom</c>) and writes <c>avatar-state.safetensors</c>,
/// <c>training.json</c> and <c>preview.png</c>.
/// </summary>
public sealed class AvatarTrainingRunner(PerceptualLossProvider perceptualLosses, IOptions<TrainingStageOptions> options, ILogger<AvatarTrainingRunner> logger)
{
    /// <summary>Trains the prepared avatar and writes the stage's outputs.</summary>
    public async Task<StageResult> RunAsync(StageJobContext context, PreparedTraining prepared, torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(prepared);
        var ct = context.CancellationToken;
        var stageOptions = options.Value;
        var coinOptions = stageOptions.Coin;
        var rasterizer = new GaussianRasterizer();
        IPerceptualLoss? perceptual = prepared.Appearance is null ? null : await perceptualLosses.GetAsync(device, ct).ConfigureAwait(false);
        // The targets are fixed: their ResNet-18 taps are computed once per run, not twice per step (forward and backward).
        using var cachedTargets = perceptual is ResNet18PerceptualLoss resnet && stageOptions.PerceptualTargetCacheMiB > 0
            ? new TargetFeatureCachedLoss(resnet, stageOptions.PerceptualTargetCacheMiB * 1024L * 1024L)
            : null;
        perceptual = cachedTargets ?? perceptual;
        var hooks = prepared.Appearance is null ? null : new CoinTrainingHooks(prepared.Appearance, perceptual!, coinOptions, prepared.Options, rasterizer);
        string backend = hooks is null ? "gaussian-avatar" : $"gaussian-avatar+coin:{perceptual!.Name}";
        var job = context.Request.IdempotencyKey();
        var stage = context.Request.Stage.Slug();
        int total = prepared.Options.Iterations;
        int? resumedFrom = null;

        TrainingRunResult run;
        // Wall time per phase of the iterations (render, losses, perceptual, backward, ...), reported in the stage's metrics.
        var phases = new TrainingPhaseTimer();
        using (var trainer = new GaussianTrainer(prepared.Avatar, prepared.Views, prepared.Options, hooks?.Hooks, rasterizer)
        {
            Timer = phases,
            BeforeStep = context.TorchThreads is { } threads ? () => threads.Apply() : null,
        })
        {
            var store = new BlobTrainingStateStore(context.Blobs, context.Output(TrainingFiles.State), context.FencingToken);
            context.Progress.Report(new JobProgress(0, total, $"{stage}: {prepared.Views.Count} views, {prepared.Avatar.Parameters.Count} Gaussians, {backend}"));
            var progress = new JobProgressReporter(context.Progress, r => resumedFrom = r.ResumedFrom ?? resumedFrom);
            run = await new ResumableTraining(trainer, store, job, hooks).RunAsync(progress, ct).ConfigureAwait(false);
            resumedFrom = run.ResumedFrom;
            if (run.ResumedFrom is { } from) logger.LogInformation("{Stage} job {Job} resumed from iteration {Iteration}", stage, job, from);
            if (run.IgnoredState is { } ignored) logger.LogWarning("{Stage} job {Job} did not resume: {Reason}", stage, job, ignored);
        }

        context.Progress.Report(new JobProgress(total, total, "writing outputs", run.LastFigures, 0, resumedFrom));
        var afterTraining = Stopwatch.StartNew();
        var quality = Evaluate(prepared, rasterizer, ct);
        var qualitySeconds = afterTraining.Elapsed.TotalSeconds;
        var outputs = new Dictionary<string, BlobRef>();
        var metadata = new Dictionary<string, string>
        {
            ["stage"] = stage,
            ["backend"] = backend,
            ["iterations"] = run.Iterations.ToString(CultureInfo.InvariantCulture),
            ["head_model"] = prepared.Head.Source,
            ["head_model_name"] = prepared.Head.Data.Name,
            ["job"] = job,
        };
        using (var stream = new MemoryStream())
        {
            await CoinAvatarFile.WriteAsync(prepared.Avatar, prepared.Appearance, metadata, stream, ct).ConfigureAwait(false);
            outputs[TrainingFiles.AvatarState] = await context.WriteOutputAsync(TrainingFiles.AvatarState, new BinaryData(stream.ToArray()), StageImageCodec.BinaryContentType).ConfigureAwait(false);
        }
        if (stageOptions.PreviewViews > 0)
            outputs[TrainingFiles.Preview] = await context.WriteOutputAsync(TrainingFiles.Preview, PreviewSheet(prepared, rasterizer, stageOptions.PreviewViews), StageImageCodec.PngContentType).ConfigureAwait(false);

        var notes = prepared.Notes.ToList();
        if (run.ResumedFrom is { } r) notes.Add($"Resumed from the training state at iteration {r}.");
        if (run.IgnoredState is { } i) notes.Add($"A saved training state was not used: {i}.");
        if (perceptual is StructuralPerceptualLoss)
            notes.Add($"COIN's perceptual term used the structural substitute ({StructuralPerceptualLoss.BackendName}): no LPIPS weights at {stageOptions.LpipsWeightsPath} in the models store and no ResNet18.onnx (or it was asked for).");
        var report = new TrainingReportDocument(stage, backend, device.ToString(), prepared.Head.Source, run.Iterations, run.ResumedFrom, run.IgnoredState,
            run.CheckpointsWritten, run.Elapsed.TotalSeconds, prepared.Avatar.Parameters.Count,
            new CoinReport(prepared.Appearance is not null, perceptual?.Name, coinOptions.DssimWeight, coinOptions.PerceptualWeight, coinOptions.OffsetL1Weight,
                coinOptions.EmbeddingDimension, coinOptions.HiddenDimension, coinOptions.PositionFrequencies, prepared.Appearance?.ReferenceView ?? 0),
            prepared.Data, quality, run.LastFigures, notes);
        outputs[TrainingFiles.Report] = await context.WriteJsonOutputAsync(TrainingFiles.Report, report).ConfigureAwait(false);

        var metrics = new Dictionary<string, double>
        {
            ["iterations"] = run.Iterations,
            ["resumed_from"] = run.ResumedFrom ?? 0,
            ["gaussians"] = prepared.Avatar.Parameters.Count,
            ["training_seconds"] = run.Elapsed.TotalSeconds,
            ["psnr_consistent"] = quality.PsnrConsistent,
            ["coin"] = prepared.Appearance is null ? 0 : 1,
            ["perceptual_lpips"] = perceptual is LpipsVgg16PerceptualLoss ? 1 : 0,
        };
        foreach (var (phase, time) in phases.Totals) metrics[$"seconds_{phase}"] = time.TotalSeconds;
        // Training time outside the timed phases: checkpoints, progress reports, the resume check.
        metrics["seconds_outside_steps"] = run.Elapsed.TotalSeconds - phases.Totals.Values.Sum(t => t.TotalSeconds);
        metrics["seconds_quality"] = qualitySeconds;
        metrics["seconds_outputs"] = afterTraining.Elapsed.TotalSeconds - qualitySeconds;
        if (cachedTargets is not null)
        {
            metrics["perceptual_cached_targets"] = cachedTargets.CachedTargets;
            metrics["perceptual_cache_mib"] = cachedTargets.CachedBytes / (1024.0 * 1024.0);
        }
        if (quality.PsnrWithOffsets is { } withOffsets) metrics["psnr_with_offsets"] = withOffsets;
        foreach (var (key, value) in run.LastFigures) metrics.TryAdd("last_" + key, value);
        return new StageResult(outputs, backend, context.WorkerVersion, metrics, notes);
    }

    /// <summary>Mean PSNR over the evaluation views (the static views) of the consistent render, the render with each view's offsets and the inference render (reference offsets, <see cref="CoinInference"/>).</summary>
    private static TrainingQualityReport Evaluate(PreparedTraining prepared, GaussianRasterizer rasterizer, CancellationToken ct)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var appearance = prepared.Appearance;
        var pe = appearance?.Encoding.Encode(CanonicalPositions.Of(prepared.Avatar));
        var referenceOffsets = appearance is null ? null : CoinInference.ReferenceOffsets(prepared.Avatar, appearance);
        double consistent = 0, withOffsets = 0, reference = 0;
        int n = prepared.EvaluationViewCount;
        double[] white = [1.0, 1.0, 1.0];
        for (int k = 0; k < n; k++)
        {
            ct.ThrowIfCancellationRequested();
            using var viewScope = torch.NewDisposeScope();
            var view = prepared.Views[k];
            var g = prepared.Avatar.Evaluate(view.Frame);
            var bg = torch.tensor(white, g.Means.dtype, g.Means.device);
            consistent += ImageLosses.Psnr(rasterizer.Render(g, view.Camera, bg).Image, view.Image);
            if (appearance is null) continue;
            var baseRgb = g.ColorsFor(view.Camera);
            withOffsets += ImageLosses.Psnr(rasterizer.Render(g.WithColors(baseRgb.Plus(appearance.Offsets(view.Index, baseRgb, pe!))), view.Camera, bg).Image, view.Image);
            reference += ImageLosses.Psnr(rasterizer.Render(g.WithColors(baseRgb.Plus(referenceOffsets!)), view.Camera, bg).Image, view.Image);
        }
        return appearance is null
            ? new TrainingQualityReport(consistent / n, null, null)
            : new TrainingQualityReport(consistent / n, withOffsets / n, reference / n);
    }

    /// <summary>One row per chosen static view: target | render with the view's offsets (or consistent again) | consistent render.</summary>
    private static BinaryData PreviewSheet(PreparedTraining prepared, GaussianRasterizer rasterizer, int count)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var appearance = prepared.Appearance;
        var pe = appearance?.Encoding.Encode(CanonicalPositions.Of(prepared.Avatar));
        int n = prepared.EvaluationViewCount;
        var picks = Enumerable.Range(0, Math.Min(count, n)).Select(i => i * n / Math.Min(count, n)).Distinct();
        var rows = new List<Tensor>();
        foreach (var k in picks)
        {
            var view = prepared.Views[k];
            var g = prepared.Avatar.Evaluate(view.Frame);
            var bg = torch.ones(3, g.Means.dtype, g.Means.device);
            var consistent = rasterizer.Render(g, view.Camera, bg).Image;
            var inconsistent = consistent;
            if (appearance is not null)
            {
                var baseRgb = g.ColorsFor(view.Camera);
                inconsistent = rasterizer.Render(g.WithColors(baseRgb.Plus(appearance.Offsets(view.Index, baseRgb, pe!))), view.Camera, bg).Image;
            }
            rows.Add(torch.cat([view.Image, inconsistent, consistent], 1));
        }
        // View 0 may be trained at the crop's resolution: every row is brought to the smallest row height.
        long height = rows.Min(r => r.shape[0]);
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].shape[0] != height)
                rows[i] = torch.nn.functional.interpolate(rows[i].permute(2, 0, 1).unsqueeze(0), [height, rows[i].shape[1] * height / rows[i].shape[0]],
                    mode: InterpolationMode.Area).squeeze(0).permute(1, 2, 0); // [H, 3W, 3]
        var sheet = torch.cat(rows, 0).cpu();
        using var image = ImageTensors.ToImage(sheet);
        return StageImageCodec.Encode(image);
    }

    /// <summary>Turns training reports into job progress.</summary>
    private sealed class JobProgressReporter(IProgress<JobProgress> target, Action<TrainingReport> seen) : IProgress<TrainingReport>
    {
        public void Report(TrainingReport value)
        {
            seen(value);
            target.Report(new JobProgress(value.Iteration, value.TotalIterations, $"iteration {value.Iteration}/{value.TotalIterations}",
                value.Figures, value.EtaSeconds, value.ResumedFrom));
        }
    }
}
