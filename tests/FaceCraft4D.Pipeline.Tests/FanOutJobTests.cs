using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>
/// Fan-out work items as per-item job sub-orchestrations (issue 14), on the in-process durable engine with the real
/// activity logic (<see cref="StageActivityRunner"/>, checkpoint store, job ledger) over a scripted worker: item instance
/// ids, reuse without a job, terminate and purge of every sub-instance with its worker jobs, and old-style histories.
/// </summary>
public sealed class FanOutJobTests
{
    private static readonly PipelineSettings Small = PipelinePresets.Preview with { ViewCount = 4, SourceViewCount = 2, ClipCount = 2 };

    private static readonly RunPolicy JobsPolicy = new(
        JobPollInterval: TimeSpan.FromMilliseconds(10), MaxJobPollInterval: TimeSpan.FromMilliseconds(20), ActivityMaxAttempts: 3,
        ActivityFirstRetryDelay: TimeSpan.FromMilliseconds(10), ActivityMaxRetryDelay: TimeSpan.FromMilliseconds(20), JobPollsPerGeneration: 3,
        WorkItemsAsJobs: true);

    private static readonly PipelineStage[] FanOutStages = [PipelineStage.EnhanceView, PipelineStage.AnimateView];

    [Theory]
    [InlineData(false)] // the job sub-orchestration submits (runs started before RunPolicy.JobsSubmittedByRun)
    [InlineData(true)] // the run submits, the sub-orchestration watches; a reused item needs no sub-orchestration
    public async Task Items_run_as_job_sub_orchestrations_purge_removes_them_and_a_rerun_reuses_every_item_without_a_job(bool submittedByRun)
    {
        await using var fixture = await Fixture.StartAsync();
        var runId = $"fc4d-00000000000000a1-000000000000000{(submittedByRun ? 2 : 1)}";
        var plan = PipelinePlan.For(Small);
        var policy = JobsPolicy with { JobsSubmittedByRun = submittedByRun };

        var first = await fixture.RunAsync(runId, Input(runId, policy));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, first.RuntimeStatus);
        foreach (var item in FanOutStages.SelectMany(plan.WorkItems))
        {
            var child = await fixture.Client.GetInstanceAsync(DurableNames.WorkItemJobInstanceId(runId, item.Stage, item.Key));
            Assert.True(child is { Name: DurableNames.StageJobOrchestrator, RuntimeStatus: OrchestrationRuntimeStatus.Completed }, $"{item.Stage}/{item.Key}");
        }

        Assert.DoesNotContain(fixture.ActivityItems, r => FanOutStages.Contains(r.Stage)); // no item polled inside an activity
        Assert.Equal(FanOutStages.Sum(s => plan.WorkItems(s).Count), fixture.Worker.Submitted.Count(r => FanOutStages.Contains(r.Stage)));
        var progress = first.ReadCustomStatusAs<RunProgress>()!;
        Assert.All(progress.Stages, s => Assert.Equal((StageState.Completed, s.Total, 0), (s.State, s.Done, s.Reused)));

        var purged = await fixture.Runs.PurgeAsync(runId, deleteData: false, default);

        Assert.Equal(PurgeOutcome.Purged, purged);
        Assert.Null(await fixture.Client.GetInstanceAsync(runId));
        Assert.Empty(await fixture.Children(runId));

        var submittedBefore = fixture.Worker.Submitted.Count;
        var second = await fixture.RunAsync(runId, Input(runId, policy));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, second.RuntimeStatus);
        Assert.Equal(submittedBefore, fixture.Worker.Submitted.Count); // every item (and stage) reused: no job submitted
        var again = second.ReadCustomStatusAs<RunProgress>()!;
        Assert.All(again.Stages.Where(s => s.Name is "enhance-view" or "animate-view"), s => Assert.Equal((s.Total, s.Total, s.Total), (s.Done, s.Reused, s.Attempts)));
        Assert.Equal(
            submittedByRun ? 0 : FanOutStages.Sum(s => plan.WorkItems(s).Count) + PipelineStages.All.Count(s => s.IsLongRunning()),
            (await fixture.Children(runId)).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Terminate_during_the_fan_out_terminates_every_item_sub_instance_and_cancels_their_worker_jobs(bool submittedByRun)
    {
        await using var fixture = await Fixture.StartAsync(hold: [PipelineStage.AnimateView, PipelineStage.TrainStatic]);
        var runId = $"fc4d-00000000000000a2-000000000000000{(submittedByRun ? 2 : 1)}";
        var animations = PipelinePlan.For(Small).WorkItems(PipelineStage.AnimateView);
        var policy = JobsPolicy with { JobsSubmittedByRun = submittedByRun };
        await fixture.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator, Input(runId, policy), new StartOrchestrationOptions(runId));
        await Eventually(() => fixture.Worker.Submitted.Count(r => r.Stage == PipelineStage.AnimateView) == animations.Count
            && fixture.Worker.Submitted.Any(r => r.Stage == PipelineStage.TrainStatic));
        // The run that submits its jobs starts each item's sub-orchestration once the submission has returned.
        await Eventually(async () => (await fixture.Children(runId))
            .Any(c => c.InstanceId == DurableNames.WorkItemJobInstanceId(runId, PipelineStage.AnimateView, animations[0].Key)));

        await Eventually(async () => (await fixture.Runs.GetStatusAsync(runId, "http://host", default))!.CustomStatus!.Stages
            .Single(s => s.Name == "animate-view").Detail == $"jobs: {animations.Count} running");

        var terminated = await fixture.Runs.TerminateAsync(runId, "test", default);

        Assert.True(terminated);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await fixture.Client.GetInstanceAsync(runId))!.RuntimeStatus);
        await Eventually(async () => (await fixture.Children(runId)).All(c => !AvatarRunService.IsActive(c.RuntimeStatus)));
        var children = await fixture.Children(runId);
        Assert.All(
            animations,
            item => Assert.Equal(
                OrchestrationRuntimeStatus.Terminated,
                children.Single(c => c.InstanceId == DurableNames.WorkItemJobInstanceId(runId, PipelineStage.AnimateView, item.Key)).RuntimeStatus));
        var held = fixture.Worker.Submitted.Where(r => r.Stage is PipelineStage.AnimateView or PipelineStage.TrainStatic).Select(r => JobKey.For(r).Id).Distinct();
        Assert.Equal(held.Order(StringComparer.Ordinal), fixture.Worker.Cancelled.Order(StringComparer.Ordinal));

        var purged = await fixture.Runs.PurgeAsync(runId, deleteData: false, default);

        Assert.Equal(PurgeOutcome.Purged, purged);
        Assert.Empty(await fixture.Children(runId));
    }

    [Fact]
    public async Task A_run_stored_before_items_were_jobs_replays_its_history_with_items_as_activities_and_completes()
    {
        await using var fixture = await Fixture.StartAsync();
        const string runId = "fc4d-00000000000000a3-0000000000000001";

        // The input as a run started before RunPolicy.WorkItemsAsJobs existed stored it (no such property).
        var stored = JsonSerializer.SerializeToNode(Input(runId, JobsPolicy))!.AsObject();
        var policy = stored[nameof(RunInput.Policy)]!.AsObject();
        Assert.True(policy.Remove(nameof(RunPolicy.WorkItemsAsJobs)));
        Assert.False(JsonSerializer.Deserialize<RunInput>(stored)!.Policy.WorkItemsAsJobs);

        var result = await fixture.RunAsync(runId, stored);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        var plan = PipelinePlan.For(Small);
        Assert.Equal(
            FanOutStages.SelectMany(plan.WorkItems).Select(i => $"{i.Stage}/{i.Key}").Order(StringComparer.Ordinal),
            fixture.ActivityItems.Where(r => FanOutStages.Contains(r.Stage)).Select(r => $"{r.Stage}/{r.Key}").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(await fixture.Children(runId), c => c.InstanceId.Count(ch => ch == '.') > runId.Count(ch => ch == '.') + 1);
        Assert.All(result.ReadCustomStatusAs<RunProgress>()!.Stages, s => Assert.Equal((StageState.Completed, s.Total), (s.State, s.Done)));
    }

    [Theory]
    [InlineData("fc4d-a-b.train-static", true)]
    [InlineData("fc4d-a-b.enhance-view.view-05", true)]
    [InlineData("fc4d-a-b.animate-view.src-03-clip-02", true)]
    [InlineData("fc4d-a-b.anim-0123456789abcdef", false)] // the run's video animation job is not its stage job
    [InlineData("fc4d-a-b.anim-0123456789abcdef.track-video.anim-0123456789abcdef-chunk-000", false)] // nor that job's chunks
    [InlineData("fc4d-a-b.enhance-view.", false)]
    [InlineData("fc4d-a-bc.enhance-view.view-05", false)]
    [InlineData("fc4d-a-b.Enhance-View.view-05", false)]
    public void Sub_instances_of_a_run_are_its_stage_slugs_and_item_keys_only(string instanceId, bool child) =>
        Assert.Equal(child, StageJobInstances.IsChildOf(instanceId, "fc4d-a-b"));

    [Fact]
    public void A_chunk_job_is_a_sub_instance_of_its_animation_job() =>
        Assert.True(StageJobInstances.IsChildOf(
            DurableNames.WorkItemJobInstanceId("fc4d-a-b.anim-0123456789abcdef", PipelineStage.TrackVideo, "anim-0123456789abcdef-chunk-000"),
            "fc4d-a-b.anim-0123456789abcdef"));

    private static RunInput Input(string runId, RunPolicy policy) =>
        new(runId, new BlobRef(StorageLayout.RunsContainer, $"{runId}/input/portrait.jpg", "ab"), Small, policy, RunSource.Cli);

    private static async Task Eventually(Func<bool> condition) => await Eventually(() => Task.FromResult(condition()));

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 20 s");
            await Task.Delay(25);
        }
    }

    /// <summary>The in-process durable engine with the pipeline's orchestrators and real activity logic, and the run service.</summary>
    private sealed class Fixture : IAsyncDisposable
    {
        private readonly DurableTaskTestHost host;
        private readonly ServiceProvider services;

        private Fixture(DurableTaskTestHost host, ServiceProvider services, LedgerWorker worker, ConcurrentQueue<StageRequest> activityItems)
        {
            this.host = host;
            this.services = services;
            Worker = worker;
            ActivityItems = activityItems;
            Runs = services.GetRequiredService<ClientBoundApi>().Runs(host.Client);
        }

        public LedgerWorker Worker { get; }

        /// <summary>Work items that ran inside one activity (<see cref="DurableNames.RunStageActivity"/>).</summary>
        public ConcurrentQueue<StageRequest> ActivityItems { get; }

        public AvatarRunService Runs { get; }

        public DurableTaskClient Client => host.Client;

        public static async Task<Fixture> StartAsync(IReadOnlyCollection<PipelineStage>? hold = null)
        {
            var blobs = new InMemoryBlobStore();
            var worker = new LedgerWorker(blobs, hold ?? []);
            var runner = new StageActivityRunner(
                new CheckpointStore(blobs), worker,
                Options.Create(new GpuWorkerOptions { ActivityPollInterval = TimeSpan.FromMilliseconds(5), BaseUrl = "http://w" }),
                TimeProvider.System, NullLogger<StageActivityRunner>.Instance);
            var activityItems = new ConcurrentQueue<StageRequest>();
            var host = await InProcessDurableHost.StartAsync(registry =>
            {
                registry.AddOrchestratorFunc<RunInput, RunOutput>(DurableNames.AvatarRunOrchestrator, AvatarRunOrchestrator.RunAsync);
                registry.AddOrchestratorFunc<StageJobInput, StageOutcome>(DurableNames.StageJobOrchestrator, StageJobOrchestrator.RunAsync);
                registry.AddActivityFunc<StageRequest, StageOutcome>(DurableNames.RunStageActivity, (_, r) =>
                {
                    activityItems.Enqueue(r);
                    return runner.RunStageAsync(r, default);
                });
                registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.SubmitStageJobActivity, (_, r) => runner.SubmitJobAsync(r, default));
                registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.PollStageJobActivity, (_, r) => runner.PollJobAsync(r, default));
                registry.AddActivityFunc<RunManifest, BlobRef>(
                    DurableNames.WriteManifestActivity, (_, m) => StorageLayout.AvatarArtifact(m.Input.RunId, RunManifest.FileName));
            });

            var collection = new ServiceCollection().AddLogging();
            collection.AddFc4dApi(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { [$"{GpuWorkerOptions.SectionName}:BaseUrl"] = "http://w" })
                .Build());
            collection.AddSingleton<IBlobStore>(blobs);
            collection.AddSingleton<IGpuWorkerClient>(worker);
            return new Fixture(host, collection.BuildServiceProvider(), worker, activityItems);
        }

        public async Task<OrchestrationMetadata> RunAsync(string runId, object input)
        {
            await host.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator, input, new StartOrchestrationOptions(runId));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        }

        public async Task<IReadOnlyList<OrchestrationMetadata>> Children(string parent)
        {
            var list = new List<OrchestrationMetadata>();
            await foreach (var child in new StageJobInstances(host.Client).ListAsync(parent, default))
            {
                list.Add(child);
            }

            return list;
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await host.DisposeAsync();
        }
    }

    /// <summary>
    /// A worker that keeps a job ledger like the real one (<c>runs/{runId}/stages/{stage}/{key}/jobs/*.json</c>) and, when a
    /// job succeeds, writes its output and checkpoint record; jobs of the held stages run until cancelled.
    /// </summary>
    private sealed class LedgerWorker(IBlobStore blobs, IReadOnlyCollection<PipelineStage> hold) : IGpuWorkerClient
    {
        private readonly ConcurrentDictionary<string, JobState> cancelled = new(StringComparer.Ordinal);

        public ConcurrentQueue<StageRequest> Submitted { get; } = new();

        public IEnumerable<string> Cancelled => cancelled.Keys;

        public Task<StageImplementation?> GetStageImplementationAsync(StageRequest request, CancellationToken cancellationToken) =>
            Task.FromResult<StageImplementation?>(new StageImplementation(request.Stage, 1, StageImplementation.NoWeights));

        public async Task<WorkerReply<JobStatus>> SubmitJobAsync(StageRequest request, CancellationToken cancellationToken)
        {
            Submitted.Enqueue(request);
            var status = Status(request, JobState.Queued, null);
            await LedgerAsync(request, status, cancellationToken);
            return new WorkerReply<JobStatus>(status, 1);
        }

        public async Task<WorkerReply<JobStatus?>> GetJobAsync(StageRequest request, CancellationToken cancellationToken)
        {
            var id = JobKey.For(request).Id;
            if (cancelled.ContainsKey(id))
            {
                return new WorkerReply<JobStatus?>(Status(request, JobState.Cancelled, null), 1);
            }

            if (hold.Contains(request.Stage))
            {
                var running = Status(request, JobState.Running, null);
                await LedgerAsync(request, running, cancellationToken);
                return new WorkerReply<JobStatus?>(running, 1);
            }

            var output = await blobs.WriteAsync(
                StorageLayout.StageOutput(request.RunId, request.Stage, request.Key, "out.bin"), BinaryData.FromString(id), "application/octet-stream", cancellationToken);
            var outputs = new Dictionary<string, BlobRef> { ["out.bin"] = output };
            await new CheckpointStore(blobs).WriteAsync(
                new CheckpointRecord(
                    request.RunId, request.Stage, request.Key, request.InputHash(), outputs, "ledger", "1.0",
                    DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(1), Implementation: request.Implementation),
                cancellationToken);
            var succeeded = Status(request, JobState.Succeeded, new StageResult(outputs, "ledger", "1.0"));
            await LedgerAsync(request, succeeded, cancellationToken);
            return new WorkerReply<JobStatus?>(succeeded, 1);
        }

        public Task CancelJobAsync(StageRequest request, CancellationToken cancellationToken) => CancelJobAsync(JobKey.For(request), cancellationToken);

        public Task CancelJobAsync(JobKey job, CancellationToken cancellationToken)
        {
            cancelled[job.Id] = JobState.Cancelled;
            return Task.CompletedTask;
        }

        private static JobStatus Status(StageRequest request, JobState state, StageResult? result) =>
            new(JobKey.For(request).Id, request.Stage, state, null, result, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        private Task LedgerAsync(StageRequest request, JobStatus status, CancellationToken cancellationToken)
        {
            var job = JobKey.For(request);
            var record = BinaryData.FromObjectAsJson(new { status, owner = "worker-1", heartbeatAt = DateTimeOffset.UtcNow, fence = 1 }, ContractJson.Options);
            return blobs.WriteAsync(
                StorageLayout.StageOutput(request.RunId, request.Stage, request.Key, $"jobs/{job.InputHashPrefix}.json"), record, "application/json", cancellationToken);
        }
    }
}
