using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Models.Tiny;
using FaceCraft4D.Testing;

namespace FaceCraft4D.Vision.Tests.Stages;

/// <summary>
/// A models folder with tiny random weights in the official layouts (<see cref="TinyModelFolder"/>), the stage handlers
/// of stages 1-4 pointed at it on an in-memory blob store, and the sample portrait preprocessed and shape-prior'd once
/// with the template backend at 48 px / 4 views (and its back view enhanced by the warp), for the weighted backends' stage-level checks.
/// </summary>
public sealed class TinyWeightedRun : IAsyncLifetime
{
    public const string RunId = "tiny-weighted";

    public string ModelsFolder { get; } = Path.Combine(Path.GetTempPath(), "fc4d-tiny-models", Guid.NewGuid().ToString("N"));

    public StageHarness Harness { get; private set; } = null!;

    /// <summary>48 px, 4 views (back view 2), template shape prior, warp image prior.</summary>
    public PipelineSettings Settings { get; } = PipelinePresets.Preview with { RenderSize = 48, ViewCount = 4, SourceViewCount = 2 };

    /// <summary>Inputs of stages 3 and 4 (preprocess, template shape-prior and warp back-view outputs by their input names).</summary>
    public Dictionary<string, BlobRef> Inputs { get; } = new(StringComparer.Ordinal);

    /// <summary>The configuration of <see cref="Harness"/> (the tiny folder and inversion settings whose three losses are one formula).</summary>
    public Dictionary<string, string?> Configuration { get; } = new();

    public async Task InitializeAsync()
    {
        await TinyModelFolder.WriteAsync(ModelsFolder, seed: 3);
        foreach (var (key, value) in TinyModelFolder.WorkerSettings) Configuration[key] = value;
        Configuration["Fc4d:Models:LocalPath"] = ModelsFolder;
        // The latent stage's loss as the pivotal stage's (MSE + LPIPS, no latent prior), so the recorded losses compare.
        Configuration["Fc4d:ShapePrior:PanoHead:Inversion:LatentSteps"] = "12";
        Configuration["Fc4d:ShapePrior:PanoHead:Inversion:PivotalSteps"] = "12";
        Configuration["Fc4d:ShapePrior:PanoHead:Inversion:LatentMseWeight"] = "1";
        Configuration["Fc4d:ShapePrior:PanoHead:Inversion:LatentNormWeight"] = "0";
        Harness = new StageHarness(new InMemoryBlobStore(), Configuration);
        var photo = await File.ReadAllBytesAsync(Path.Combine(TestAssets.RepoRoot(), "infra", "samples", "portrait.jpg"));
        Inputs[StageFiles.PortraitInput] = await Harness.Blobs.WriteAsync(StorageLayout.RunInput(RunId, "portrait.jpg"), new BinaryData(photo), "image/jpeg", CancellationToken.None);
        foreach (var stage in new[] { PipelineStage.Preprocess, PipelineStage.ShapePrior })
        {
            var (result, _) = await Harness.RunAsync(stage, RunId, PipelinePlan.SingleKey, Inputs, Settings);
            foreach (var (name, blob) in StageHarness.AsInputs(stage, PipelinePlan.SingleKey, result)) Inputs[name] = blob;
        }
        var (back, _) = await Harness.RunAsync(PipelineStage.EnhanceBackView, RunId, PipelinePlan.SingleKey, Inputs, Settings,
            new Dictionary<string, string> { ["view"] = Settings.BackViewIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        foreach (var (name, blob) in StageHarness.AsInputs(PipelineStage.EnhanceBackView, PipelinePlan.SingleKey, back)) Inputs[name] = blob;
    }

    public Task DisposeAsync()
    {
        Harness?.Dispose();
        try
        {
            Directory.Delete(ModelsFolder, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
