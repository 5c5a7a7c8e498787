using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Testing;

namespace FaceCraft4D.Animation.Tests.Stages;

/// <summary>
/// One real chain on the sample portrait on a real Azurite, run once for the test class: stages 1-4, every planned
/// AnimateView item (rig backend) and TrackFlame, at small settings (128 px renders, 8 views, 3 source views x 2 clips,
/// 6 frames, short tracking).
/// </summary>
public sealed class SampleVideoRun : IAsyncLifetime
{
    private readonly AzuriteFixture azurite = new();

    public VideoStageHarness Harness { get; private set; } = null!;

    public AzuriteFixture Azurite => azurite;

    public PipelineSettings Settings { get; } = PipelinePresets.Preview with
    {
        RenderSize = 128, ViewCount = 8, SourceViewCount = 3, ClipCount = 2, FramesPerClip = 6,
        TrackingFirstFrameIterations = 40, TrackingPerFrameIterations = 10, TrackingGlobalEpochs = 1,
    };

    public string RunId { get; private set; } = "";

    public PipelinePlan Plan { get; private set; } = null!;

    public Dictionary<string, BlobRef> Inputs { get; } = new(StringComparer.Ordinal);

    /// <summary>Inputs of stages 1-4 only (what AnimateView items get, plus their own view).</summary>
    public Dictionary<string, BlobRef> StaticInputs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, StageResult> Videos { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, TimeSpan> Timings { get; } = new(StringComparer.Ordinal);

    public StageResult Tracking { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        Harness = new VideoStageHarness(azurite.CreateBlobStore());
        Plan = PipelinePlan.For(Settings);
        var photo = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Locate(), "infra", "samples", "portrait.jpg"));
        RunId = RunIdentity.For(ContentHash.Of(photo), Settings);
        StaticInputs[StageFiles.PortraitInput] = await Harness.Blobs.WriteAsync(StorageLayout.RunInput(RunId, "portrait.jpg"), new BinaryData(photo), "image/jpeg", CancellationToken.None);
        await Single(PipelineStage.Preprocess);
        await Single(PipelineStage.ShapePrior);
        await Single(PipelineStage.EnhanceBackView, ("view", Settings.BackViewIndex));
        foreach (var item in Plan.WorkItems(PipelineStage.EnhanceView))
        {
            var (result, _) = await Harness.RunAsync(PipelineStage.EnhanceView, RunId, item.Key, StaticInputs, Settings, item.Parameters);
            foreach (var (name, blob) in VideoStageHarness.AsInputs(PipelineStage.EnhanceView, item.Key, result)) StaticInputs[name] = blob;
        }
        foreach (var (name, blob) in StaticInputs) Inputs[name] = blob;
        foreach (var item in Plan.WorkItems(PipelineStage.AnimateView))
        {
            var (result, elapsed) = await Harness.RunAsync(PipelineStage.AnimateView, RunId, item.Key, StaticInputs, Settings, item.Parameters);
            Videos[item.Key] = result;
            Timings[item.Key] = elapsed;
        }
        var trackingInputs = StaticInputs.Where(kv => !kv.Key.StartsWith("enhance-", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, result) in Videos)
            foreach (var (name, blob) in VideoStageHarness.AsInputs(PipelineStage.AnimateView, key, result)) trackingInputs[name] = blob;
        var (tracking, trackingTime) = await Harness.RunAsync(PipelineStage.TrackFlame, RunId, PipelinePlan.SingleKey, trackingInputs, Settings);
        Tracking = tracking;
        Timings["track-flame"] = trackingTime;
    }

    private async Task Single(PipelineStage stage, params (string Name, int Value)[] parameters)
    {
        var p = parameters.ToDictionary(x => x.Name, x => x.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (result, elapsed) = await Harness.RunAsync(stage, RunId, PipelinePlan.SingleKey, StaticInputs, Settings, p);
        Timings[stage.Slug()] = elapsed;
        foreach (var (name, blob) in VideoStageHarness.AsInputs(stage, PipelinePlan.SingleKey, result)) StaticInputs[name] = blob;
    }

    public async Task DisposeAsync()
    {
        Harness?.Dispose();
        await azurite.DisposeAsync();
    }
}
