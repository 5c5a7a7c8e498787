using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Stages.ShapePrior;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// Stage 7 "TrainStatic" (paper 4: 30K iterations on the static views): a GaussianAvatar bound to the run's head (the shape
/// prior's FLAME with its vertex offsets), initialised with <see cref="TrainingStageOptions.GaussiansPerTriangle"/> Gaussians
/// per triangle coloured from <c>head.ply</c>, trained on every static view (README: which image each view trains on) for
/// <c>StaticIterations</c>, with COIN unless <see cref="TrainingStageOptions.StaticUsesCoin"/> is off. Resumable (see
/// <see cref="AvatarTrainingRunner"/>).
/// </summary>
public sealed class TrainStaticStageHandler(TrainingHeadLoader heads, AvatarTrainingRunner runner, IOptions<TrainingStageOptions> options,
    IOptions<ShapePriorStageOptions> shapePrior) : IStageHandler
{
    /// <inheritdoc />
    public PipelineStage Stage => PipelineStage.TrainStatic;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = ["gaussian-avatar+coin", "gaussian-avatar"];

    /// <inheritdoc />
    public int ImplementationVersion => 6 + options.Value.PerceptualScheduleVersion; // 16, 26, ...: the perceptual network on images pooled by TrainingStageOptions.PerceptualDownsample 2, 3, ... (s30; 6 at 1, the default); 2: the reference portrait is cut from the lower lip down (ReferencePortrait); 3: fused SSIM / COIN centring kernels, cached FLAME poses (same losses, other float rounding); 4: ResNet-18 target taps computed once per run (same loss, other float rounding); 5: the perceptual term (and I_C) on every PerceptualEvery-th iteration only (2, at the paper's 0.05 on those iterations); 6: fused Adam and fused bound-Gaussian evaluation (same losses, other float rounding)

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths => [shapePrior.Value.FlameModelPath, options.Value.LpipsWeightsPath];

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var o = options.Value.Validated();
        var coin = o.Coin;
        var settings = context.Request.Settings;
        var device = o.ResolveDevice();
        context.Progress.Report(new JobProgress(0, settings.StaticIterations, "reading the static views"));
        using var prepared = await PrepareAsync(context, o, coin.Enabled && o.StaticUsesCoin, device).ConfigureAwait(false);
        return await runner.RunAsync(context, prepared, device).ConfigureAwait(false);
    }

    private async Task<PreparedTraining> PrepareAsync(StageJobContext context, TrainingStageOptions o, bool useCoin, torch.Device device)
    {
        var settings = context.Request.Settings;
        var head = await heads.LoadAsync(context).ConfigureAwait(false);
        FlameModel? flame = null;
        FlameGaussianAvatar? avatar = null;
        CoinAppearance? appearance = null;
        List<Graphics.Training.TrainingView>? views = null;
        try
        {
            flame = new FlameModel(head.Data, device);
            var cameras = await StaticViewReader.ReadCamerasAsync(context).ConfigureAwait(false);
            var shape = head.Shape(flame); // referenced by the views' frames (the avatar keeps its own copy)
            var frame = head.StaticFrame.ToParameters(flame, shape);
            views = await StaticViewReader.ReadAsync(context, cameras, frame, device, o.ReferenceAtCropSize).ConfigureAwait(false);
            avatar = CreateAvatar(head, flame, shape, o, (ulong)settings.Seed);
            if (useCoin)
                appearance = CoinAppearance.Create(settings.ViewCount, PositionEncoding.Fit(CanonicalPositions.Of(avatar), o.Coin.PositionFrequencies),
                    o.Coin, (ulong)settings.Seed + 1, device);
            var training = TrainingSchedule.Static(settings.StaticIterations, settings.CheckpointEvery, o.Coin.DssimWeight, o, (ulong)settings.Seed);
            var notes = new List<string>();
            if (head.VertexColours is null) notes.Add("head.ply had no readable vertex colours: the Gaussians started grey.");
            int staticCount = views.Count;
            int repeats = ReferenceViewWeighting.Apply(views, o.ReferenceViewShare);
            if (repeats > 0) notes.Add($"The reference portrait is drawn {repeats + 1} times per epoch of {views.Count} views (ReferenceViewShare {o.ReferenceViewShare}).");
            return new PreparedTraining(head, flame, avatar, appearance, views, staticCount, training,
                new TrainingDataReport(staticCount, 0, 0, 0, null), notes);
        }
        catch
        {
            appearance?.Dispose();
            avatar?.Dispose();
            foreach (var v in views ?? []) v.Image.Dispose();
            flame?.Dispose();
            head.Dispose();
            throw;
        }
    }

    /// <summary>Gaussians on every triangle, coloured with the mean of the triangle's vertex colours when known.</summary>
    private static FlameGaussianAvatar CreateAvatar(TrainingHead head, FlameModel flame, TorchSharp.torch.Tensor shape, TrainingStageOptions o, ulong seed)
    {
        var generator = new torch.Generator(seed);
        var avatar = FlameGaussianAvatar.Create(flame, shape, o.GaussiansPerTriangle, o.InitialLocalScale, generator: generator);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (head.TriangleColours(flame) is { } colours)
        {
            var rgb = colours.index_select(0, avatar.Parameters.Binding!);
            avatar.Parameters.ShDc.copy_(SphericalHarmonics.RgbToDc(rgb).unsqueeze(1));
        }
        return avatar;
    }
}
