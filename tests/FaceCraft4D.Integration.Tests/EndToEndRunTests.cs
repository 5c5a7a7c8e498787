using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// Whole runs on the real pieces: Azurite, the Azure Storage durable engine behind the gRPC sidecar, the real
/// orchestrations and activities, the real GPU worker service (synthetic handlers stand in for GPU work only).
/// </summary>
public sealed class EndToEndRunTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_run_goes_through_every_stage_and_checkpoints_every_work_item()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(100));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "e2eone");

        var submission = await host.SubmitAsync(TestPortraits.Jpeg(1));
        var status = await host.WaitForEndAsync(submission.RunId, RunTimeout);

        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error}");
        var plan = PipelinePlan.For(PipelinePresets.Preview with { ViewCount = 4, SourceViewCount = 2, ClipCount = 2 });
        foreach (var stage in PipelineStages.All)
        {
            var progress = Assert.Single(status.CustomStatus!.Stages, s => s.Name == stage.Slug());
            Assert.Equal(StageState.Completed, progress.State);
            Assert.Equal(plan.WorkItems(stage).Count, progress.Total);
            Assert.Equal(progress.Total, progress.Done);
            Assert.Equal(0, progress.Reused);
            Assert.Equal("synthetic", progress.Backend);
            foreach (var item in plan.WorkItems(stage))
            {
                Assert.Equal(1, worker.Ledger.Count(submission.RunId, stage, item.Key));
                var checkpoint = await azurite.CreateBlobStore().TryReadAsync(
                    StorageLayout.StageCheckpoint(submission.RunId, stage, item.Key), CancellationToken.None);
                Assert.NotNull(checkpoint);
                Assert.Equal("synthetic", checkpoint.ToObjectFromJson<CheckpointRecord>(ContractJson.Options)!.Backend);
            }
        }

        Assert.Equal(2, plan.WorkItems(PipelineStage.EnhanceView).Count);
        Assert.Equal(4, plan.WorkItems(PipelineStage.AnimateView).Count);
        Assert.Contains("avatar.ply", status.Output!.Artifacts.Keys);
        Assert.Equal("synthetic", status.Output.Backends["train-coin"]);
        var artifacts = await host.Runs.ListArtifactsAsync(submission.RunId, CancellationToken.None);
        Assert.Contains(artifacts, a => a.Blob.Name.EndsWith("/manifest.json", StringComparison.Ordinal));
        Assert.Contains(artifacts, a => a.Blob.Name.EndsWith("/avatar.ply", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Identical_submissions_share_one_run_and_a_purged_run_is_rebuilt_from_checkpoints_without_worker_work()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "e2etwo");
        var image = TestPortraits.Jpeg(2);

        var first = await host.SubmitAsync(image);
        var second = await host.SubmitAsync(image);
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal("Completed", (await host.WaitForEndAsync(first.RunId, RunTimeout)).RuntimeStatus);
        var executed = worker.Ledger.RunTotal(first.RunId);

        // Lose the orchestration history (not the blobs) and submit again: every work item comes from its checkpoint.
        Assert.Equal(FaceCraft4D.Api.PurgeOutcome.Purged, await host.Runs.PurgeAsync(first.RunId, deleteData: false, CancellationToken.None));
        var again = await host.SubmitAsync(image);
        Assert.True(again.Created);
        var status = await host.WaitForEndAsync(again.RunId, RunTimeout);

        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error}");
        Assert.All(status.CustomStatus!.Stages, s => Assert.Equal(s.Total, s.Reused));
        Assert.Equal(executed, worker.Ledger.RunTotal(first.RunId));
    }

    [Fact]
    public async Task A_stage_the_worker_cannot_run_yet_fails_the_run_with_a_clear_message_and_no_retries()
    {
        var handlers = new Dictionary<PipelineStage, Func<ExecutionLedger, IStageHandler?>> { [PipelineStage.ShapePrior] = _ => null };
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50), handlers: handlers);
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "e2ethree");

        var submission = await host.SubmitAsync(TestPortraits.Jpeg(3));
        var status = await host.WaitForEndAsync(submission.RunId, RunTimeout);

        Assert.Equal("Failed", status.RuntimeStatus);
        Assert.Contains("shape-prior", status.Error);
        Assert.Contains("no implementation", status.Error);
        var shape = status.CustomStatus!.Stages.Single(s => s.Name == "shape-prior");
        Assert.Equal(StageState.Failed, shape.State);
        Assert.Equal(1, shape.Attempts);
        Assert.Equal(StageState.Completed, status.CustomStatus.Stages.Single(s => s.Name == "preprocess").State);
    }

    [Fact]
    public async Task Input_a_stage_rejects_fails_the_run_with_the_reason_and_no_retries()
    {
        var handlers = new Dictionary<PipelineStage, Func<ExecutionLedger, IStageHandler?>>
        {
            [PipelineStage.Preprocess] = _ => new RejectingHandler(),
        };
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50), handlers: handlers);
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "e2efour");

        var submission = await host.SubmitAsync(TestPortraits.Jpeg(4));
        var status = await host.WaitForEndAsync(submission.RunId, RunTimeout);

        Assert.Equal("Failed", status.RuntimeStatus);
        Assert.Contains("no-face", status.Error);
        Assert.Equal(1, status.CustomStatus!.Stages.Single(s => s.Name == "preprocess").Attempts);
    }

    private sealed class RejectingHandler : IStageHandler
    {
        public PipelineStage Stage => PipelineStage.Preprocess;

        public IReadOnlyList<string> Backends => ["rejecting"];

        public int ImplementationVersion => 1;

        public IReadOnlyList<string> WeightPaths => [];

        public Task<StageResult> ExecuteAsync(StageJobContext context) =>
            throw new StageInputException("no-face", "No face was found in the photo.");
    }
}
