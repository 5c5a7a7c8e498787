using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Testing;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>
/// One real request chain, run once for the test class on a real Azurite: the sample portrait through
/// Preprocess -> ShapePrior -> EnhanceBackView -> EnhanceView (every planned view) at preview settings.
/// </summary>
public sealed class SamplePipelineRun : IAsyncLifetime
{
    private readonly AzuriteFixture azurite = new();

    public StageHarness Harness { get; private set; } = null!;

    public PipelineSettings Settings { get; } = PipelinePresets.Preview;

    public string RunId { get; private set; } = "";

    public Dictionary<PipelineStage, StageResult> Single { get; } = new();

    public Dictionary<int, StageResult> Views { get; } = new();

    public Dictionary<string, TimeSpan> Timings { get; } = new();

    public Dictionary<string, BlobRef> Inputs { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        Harness = new StageHarness(azurite.CreateBlobStore());
        var photo = await File.ReadAllBytesAsync(Path.Combine(TestAssets.RepoRoot(), "infra", "samples", "portrait.jpg"));
        RunId = RunIdentity.For(ContentHash.Of(photo), Settings);
        Inputs[StageFiles.PortraitInput] = await Harness.Blobs.WriteAsync(StorageLayout.RunInput(RunId, "portrait.jpg"), new BinaryData(photo), "image/jpeg", CancellationToken.None);

        await RunSingle(PipelineStage.Preprocess);
        await RunSingle(PipelineStage.ShapePrior);
        await RunSingle(PipelineStage.EnhanceBackView, ("view", Settings.BackViewIndex));
        var plan = PipelinePlan.For(Settings);
        foreach (var item in plan.WorkItems(PipelineStage.EnhanceView))
        {
            var (result, elapsed) = await Harness.RunAsync(PipelineStage.EnhanceView, RunId, item.Key, Inputs, Settings, item.Parameters);
            Views[int.Parse(item.Parameters["view"], System.Globalization.CultureInfo.InvariantCulture)] = result;
            Timings[$"enhance-view/{item.Key}"] = elapsed;
        }
    }

    private async Task RunSingle(PipelineStage stage, params (string Name, int Value)[] parameters)
    {
        var p = parameters.ToDictionary(x => x.Name, x => x.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (result, elapsed) = await Harness.RunAsync(stage, RunId, PipelinePlan.SingleKey, Inputs, Settings, p);
        Single[stage] = result;
        Timings[stage.Slug()] = elapsed;
        foreach (var (name, blob) in StageHarness.AsInputs(stage, PipelinePlan.SingleKey, result)) Inputs[name] = blob;
    }

    public async Task DisposeAsync()
    {
        Harness?.Dispose();
        await azurite.DisposeAsync();
    }
}
