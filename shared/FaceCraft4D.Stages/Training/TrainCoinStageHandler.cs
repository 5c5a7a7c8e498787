using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Stages.ShapePrior;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Stage 8 "TrainCoin" (paper 3.4: COIN fine-tuning, 90K iterations on the multi-view videos): continues the avatar of
/// TrainStatic (<c>train-static/avatar-state.safetensors</c>, with its COIN appearance when it has one) on the generated
/// videos, each frame posed by its tracked FLAME frame and supervised through its source view's embedding, plus the static
/// views (<see cref="TrainingStageOptions.CoinIncludesStaticViews"/>). Videos and tracking come through
/// <see cref="ITrackedVideoSource"/>; a run without videos fine-tunes on the static views alone. <c>CoinIterations</c> = 0
/// passes the static avatar through. Resumable (see <see cref="AvatarTrainingRunner"/>).
/// </summary>
public sealed class TrainCoinStageHandler(TrainingHeadLoader heads, ITrackedVideoSource videos, AvatarTrainingRunner runner, IOptions<TrainingStageOptions> options,
    IOptions<ShapePriorStageOptions> shapePrior) : IStageHandler
{
    /// <summary>Input name of the static stage's avatar.</summary>
    public static string StaticAvatarInput => StageFiles.From(PipelineStage.TrainStatic, TrainingFiles.AvatarState);

    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.TrainCoin;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = ["gaussian-avatar+coin", "gaussian-avatar"];

    /// <inheritdoc />
    public int ImplementationVersion => (options.Value.HasReferenceFinalPhase ? 7 : 6) + options.Value.PerceptualScheduleVersion; // 16-17, 26-27, ...: the perceptual network on images pooled by TrainingStageOptions.PerceptualDownsample 2, 3, ... (s30; + 0 at 1, the default); 7: a final phase that favours the reference portrait (TrainingStageOptions.ReferenceFinalPhase; 6 with it off); 2: the reference portrait is cut from the lower lip down (ReferencePortrait); 3: fused SSIM / COIN centring kernels, cached FLAME poses (same losses, other float rounding); 4: ResNet-18 target taps computed once per run (same loss, other float rounding); 5: the perceptual term (and I_C) on every PerceptualEvery-th iteration only (2, at the paper's 0.05 on those iterations); 6: fused Adam and fused bound-Gaussian evaluation (same losses, other float rounding)

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [shapePrior.Value.FlameModelPath, options.Value.LpipsWeightsPath];

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = options.Value.Validated();
        var device = o.ResolveDevice();
        context.Progress.Report(new JobProgress(0, context.Request.Settings.CoinIterations, "reading the static avatar, views and videos"));
        using var prepared = await PrepareAsync(context, o, device).ConfigureAwait(false);
        return await runner.RunAsync(context, prepared, device).ConfigureAwait(false);
    }

    private async Task<PreparedTraining> PrepareAsync(StageJobContext context, TrainingStageOptions o, torch.Device device)
    {
        var settings = context.Request.Settings;
        var ct = context.CancellationToken;
        var head = await heads.LoadAsync(context).ConfigureAwait(false);
        FlameModel? flame = null;
        CoinAvatar? trained = null;
        CoinAppearance? appearance = null;
        var views = new List<TrainingView>();
        try
        {
            flame = new FlameModel(head.Data, device);
            var bytes = await context.ReadRequiredAsync(StaticAvatarInput).ConfigureAwait(false);
            using (var stream = bytes.ToStream())
            {
                try
                {
                    trained = await CoinAvatarFile.ReadAsync(stream, flame, ct).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw new StageInputException("input-invalid", $"{StaticAvatarInput}: {e.Message}", e);
                }
            }
            var notes = new List<string>();
            appearance = trained.Appearance;
            if (o.Coin.Enabled && appearance is null)
            {
                appearance = CoinAppearance.Create(settings.ViewCount, PositionEncoding.Fit(CanonicalPositions.Of(trained.Avatar), o.Coin.PositionFrequencies),
                    o.Coin, (ulong)settings.Seed + 2, device);
                notes.Add("The static avatar was trained without COIN: the view embeddings and MLP start fresh.");
            }
            else if (!o.Coin.Enabled && appearance is not null)
            {
                appearance.Dispose();
                appearance = null;
                notes.Add("COIN is off in this worker: the static avatar's appearance MLP is dropped and the avatar fine-tuned plainly.");
            }
            if (appearance is not null && appearance.ViewCount != settings.ViewCount)
                throw new StageInputException("input-invalid", $"The static avatar has {appearance.ViewCount} view embeddings; the run has {settings.ViewCount} views.");

            var cameras = await StaticViewReader.ReadCamerasAsync(context).ConfigureAwait(false);
            var shape = head.Shape(flame);
            int staticCount = 0;
            var set = await videos.ReadAsync(context, cameras).ConfigureAwait(false);
            if (o.CoinIncludesStaticViews || !set.HasVideos)
            {
                views.AddRange(await StaticViewReader.ReadAsync(context, cameras, head.StaticFrame.ToParameters(flame, shape), device, o.ReferenceAtCropSize).ConfigureAwait(false));
                staticCount = views.Count;
            }
            int available = set.Videos.Sum(v => v.Frames.Count);
            int stride = Math.Max(1, (int)Math.Ceiling(available / (double)o.MaxVideoFrames));
            var clips = set.Clips.ToDictionary(c => c.Clip);
            int used = 0;
            foreach (var video in set.Videos)
            {
                var frames = clips[video.Clip].Frames;
                foreach (var frame in video.Frames.Where((_, i) => i % stride == 0))
                {
                    ct.ThrowIfCancellationRequested();
                    var image = StageImageCodec.ReadRgb(await context.ReadRequiredAsync(frame.ImageInput).ConfigureAwait(false), frame.ImageInput);
                    if (image.Width != video.Camera.Width || image.Height != video.Camera.Height) image = image.Resize(video.Camera.Width, video.Camera.Height);
                    views.Add(new TrainingView
                    {
                        Camera = video.Camera, Image = StaticViewReader.ToTensor(image, device), Frame = frames[frame.Frame].ToParameters(flame, shape),
                        Index = video.View, Name = frame.ImageInput,
                    });
                    used++;
                }
            }
            if (!set.HasVideos) notes.Add("No AnimateView/TrackFlame videos in the request: COIN fine-tuned on the static views only.");
            if (stride > 1) notes.Add($"{available} video frames available; every {stride}th frame of each video was used ({used}, MaxVideoFrames {o.MaxVideoFrames}).");

            int repeats = staticCount > 0 ? ReferenceViewWeighting.Apply(views, o.ReferenceViewShare) : 0; // views[0] is the portrait only when the static views are in
            if (repeats > 0) notes.Add($"The reference portrait is drawn {repeats + 1} times per epoch of {views.Count} views (ReferenceViewShare {o.ReferenceViewShare}).");
            var training = TrainingSchedule.FineTune(settings.CoinIterations, settings.CheckpointEvery, o.Coin.DssimWeight, o, (ulong)settings.Seed + 3);
            if (staticCount > 0 && o.HasReferenceFinalPhase) // views[0] is the portrait
            {
                training.FocusView = FocusViewSchedule.Final(settings.CoinIterations, o.ReferenceFinalPhase, o.ReferenceFinalPhaseShare);
                if (training.FocusView is { } focus)
                    notes.Add($"Final phase: after iteration {focus.FromIteration} the reference portrait is drawn outright on {focus.Share:P0} of the iterations (ReferenceFinalPhase {o.ReferenceFinalPhase}).");
            }
            var avatar = trained.Avatar;
            trained = null; // ownership moves to the prepared training
            return new PreparedTraining(head, flame, avatar, appearance, views, staticCount, training,
                new TrainingDataReport(staticCount, set.Videos.Count, used, available, set.Backend), notes);
        }
        catch
        {
            appearance?.Dispose();
            trained?.Avatar.Dispose();
            foreach (var v in views) v.Image.Dispose();
            flame?.Dispose();
            head.Dispose();
            throw;
        }
    }
}
