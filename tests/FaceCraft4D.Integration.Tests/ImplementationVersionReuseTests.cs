using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Options;
using Xunit;
using Xunit.Abstractions;
using static FaceCraft4D.Testing.RunStatusPoller;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// Checkpoint reuse follows code and weights: the same photo run again after a worker upgrade (one stage's
/// implementation version bumped, weights installed for another) reruns exactly those stages and the stages whose
/// inputs changed, reuses the rest, and the rerun stage carries the backend label of the new weights.
/// </summary>
public sealed class ImplementationVersionReuseTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string Settings = "{\"viewCount\":4,\"sourceViewCount\":1,\"clipCount\":1}";

    [Fact]
    public async Task A_bumped_stage_reruns_with_its_dependents_and_added_weights_rerun_their_stage_with_the_new_backend()
    {
        var photo = TestPortraits.Jpeg(37);
        var port = FreeTcpPort.Find();
        var log = Path.Combine(azurite.DataDirectory, "version-host.log");
        await using var logs = FailedTestLogs.For(output).Add(log).Add(azurite);
        var blobs = azurite.CreateBlobStore();
        var models = new ModelStore(blobs, Options.Create(new ModelStoreOptions()));
        var stageTime = TimeSpan.FromMilliseconds(50);

        // 1. Worker v1: evaluation fails (a bug), so the run fails after export.
        string runId;
        await using (var v1 = await TestGpuWorker.StartAsync(azurite.ConnectionString, stageTime, handlers: new Dictionary<PipelineStage, Func<ExecutionLedger, IStageHandler?>>
                     {
                         [PipelineStage.Evaluate] = _ => new FailingHandler(),
                         [PipelineStage.ShapePrior] = ledger => WeightedShapePrior(ledger, models, stageTime),
                     }))
        await using (var host = await LocalHostProcess.StartAsync(port, Configuration(v1), log))
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
            runId = await PortraitSubmission.SubmitAsync(http, photo, Settings);
            var failed = await WaitForAsync(http, runId, s => s.RuntimeStatus is not ("Pending" or "Running"), TimeSpan.FromMinutes(3));
            Assert.Equal("Failed", failed.RuntimeStatus);
            Assert.Equal("synthetic", await BackendAsync(blobs, runId, PipelineStage.ShapePrior));
        }

        // 2. The operator installs shape-prior weights and deploys worker v2: animate-view bumped to version 2, evaluation
        //    fixed (a fix bumps the version too: the same version would find the failed job again).
        await blobs.WriteAsync(new BlobRef(StorageLayout.ModelsContainer, "panohead/v1/generator.safetensors"), BinaryData.FromString("weights"), "application/octet-stream", default);
        await using var v2 = await TestGpuWorker.StartAsync(azurite.ConnectionString, stageTime, handlers: new Dictionary<PipelineStage, Func<ExecutionLedger, IStageHandler?>>
        {
            [PipelineStage.AnimateView] = ledger => new SyntheticStageHandler(PipelineStage.AnimateView, ledger, stageTime) { ImplementationVersion = 2 },
            [PipelineStage.Evaluate] = ledger => new SyntheticStageHandler(PipelineStage.Evaluate, ledger, stageTime) { ImplementationVersion = 2 }, // the fix
            [PipelineStage.ShapePrior] = ledger => WeightedShapePrior(ledger, models, stageTime),
        });
        await using var restarted = await LocalHostProcess.StartAsync(port, Configuration(v2), log);
        using var client = new HttpClient { BaseAddress = new Uri(restarted.BaseUrl) };
        Assert.Equal(runId, await PortraitSubmission.SubmitAsync(client, photo, Settings)); // the same photo and settings: the same run, restarted
        var final = await WaitForAsync(client, runId, s => s.RuntimeStatus is not ("Pending" or "Running"), TimeSpan.FromMinutes(3));
        output.WriteLine(string.Join(Environment.NewLine, final.CustomStatus!.Stages.Select(s => $"{s.Name}: done {s.Done}/{s.Total} reused {s.Reused}")));
        Assert.True(final.RuntimeStatus == "Completed", $"{final.RuntimeStatus}: {final.Error}");

        // Ran again at v2: shape-prior (weights), animate-view (version) and what consumes animate-view's changed outputs.
        PipelineStage[] rerun = [PipelineStage.ShapePrior, PipelineStage.AnimateView, PipelineStage.TrackFlame, PipelineStage.TrainCoin, PipelineStage.Export, PipelineStage.Evaluate];
        // Reused: stages whose code, weights and input content are unchanged (shape-prior's outputs are byte-identical).
        PipelineStage[] reused = [PipelineStage.Preprocess, PipelineStage.EnhanceBackView, PipelineStage.EnhanceView, PipelineStage.TrainStatic];
        Assert.All(rerun, s => Assert.True(v2.Ledger.StageTotal(s) > 0, $"{s.Slug()} should have run again"));
        Assert.All(reused, s => Assert.Equal(0, v2.Ledger.StageTotal(s)));
        Assert.All(reused, s => Assert.True(Stage(final, s.Slug())!.Reused == Stage(final, s.Slug())!.Total, $"{s.Slug()} should be reused"));
        Assert.Equal("panohead-synthetic", await BackendAsync(blobs, runId, PipelineStage.ShapePrior));
        logs.Passed();
    }

    private static SyntheticStageHandler WeightedShapePrior(ExecutionLedger ledger, ModelStore models, TimeSpan duration) =>
        new(PipelineStage.ShapePrior, ledger, duration) { WeightPaths = ["panohead/v1"], WeightedBackend = "panohead-synthetic", Models = models };

    private Dictionary<string, string> Configuration(TestGpuWorker worker) => new(TestConfiguration.Fast("versions"))
    {
        ["Fc4d:Local:StorageConnectionString"] = azurite.ConnectionString,
        ["Fc4d:Local:WorkerUrls"] = worker.Url.ToString(),
    };

    private static async Task<string?> BackendAsync(Storage.IBlobStore blobs, string runId, PipelineStage stage)
    {
        var data = await blobs.TryReadAsync(StorageLayout.StageCheckpoint(runId, stage, "0"), default);
        return data?.ToObjectFromJson<CheckpointRecord>(ContractJson.Options)?.Backend;
    }

    /// <summary>Evaluation with a bug: rejects every input (a permanent failure, not retried).</summary>
    private sealed class FailingHandler : IStageHandler
    {
        public PipelineStage Stage => PipelineStage.Evaluate;

        public IReadOnlyList<string> Backends => ["failing"];

        public int ImplementationVersion => 1;

        public IReadOnlyList<string> WeightPaths => [];

        public Task<StageResult> ExecuteAsync(StageJobContext context) =>
            throw new StageInputException("input-invalid", "evaluation bug");
    }
}
