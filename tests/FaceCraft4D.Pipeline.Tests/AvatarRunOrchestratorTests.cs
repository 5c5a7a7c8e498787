using System.Collections.Concurrent;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>
/// The orchestration logic on the Durable Task in-memory test engine with scripted activities: DAG order and
/// fan-in inputs, progress, retries, permanent failures and long-job polling across continue-as-new.
/// </summary>
public sealed class AvatarRunOrchestratorTests
{
    private static readonly PipelineSettings Small = PipelinePresets.Preview with { ViewCount = 4, SourceViewCount = 2, ClipCount = 2 };

    private static readonly RunPolicy FastPolicy = new(
        JobPollInterval: TimeSpan.FromMilliseconds(10), MaxJobPollInterval: TimeSpan.FromMilliseconds(20), ActivityMaxAttempts: 4,
        ActivityFirstRetryDelay: TimeSpan.FromMilliseconds(10), ActivityMaxRetryDelay: TimeSpan.FromMilliseconds(20), JobPollsPerGeneration: 2);

    [Fact]
    public async Task Stages_run_as_a_dag_with_fan_out_fan_in_and_parallel_branches()
    {
        var script = new ScriptedActivities();
        await using var host = await StartAsync(script);

        var output = await RunAsync(host, "fc4d-00000000000000aa-00000001");

        Assert.Equal("completed", output.Status);
        var order = script.Completed.ToArray();
        int IndexOf(PipelineStage s) => Array.FindIndex(order, r => r.Stage == s);
        int LastIndexOf(PipelineStage s) => Array.FindLastIndex(order, r => r.Stage == s);
        Assert.True(LastIndexOf(PipelineStage.EnhanceView) < IndexOf(PipelineStage.AnimateView));
        Assert.True(LastIndexOf(PipelineStage.AnimateView) < IndexOf(PipelineStage.TrackFlame));
        Assert.True(IndexOf(PipelineStage.TrainCoin) > IndexOf(PipelineStage.TrainStatic) && IndexOf(PipelineStage.TrainCoin) > IndexOf(PipelineStage.TrackFlame));
        Assert.True(script.Submits.ContainsKey(PipelineStage.TrackFlame), "FLAME tracking (hours at the paper preset) runs as a polled job, not inside one activity");
        Assert.True(script.AnimationsSawStaticTraining, $"static training should run while the video branch runs (AnimateView waits for it)");

        var track = script.Requests.Single(r => r.Stage == PipelineStage.TrackFlame);
        Assert.Equal(4, track.Inputs.Keys.Count(k => k.StartsWith("animate-view/src-", StringComparison.Ordinal)));
        var coin = script.Requests.First(r => r.Stage == PipelineStage.TrainCoin);
        Assert.Contains("track-flame/out.bin", coin.Inputs.Keys);
        Assert.Contains("train-static/out.bin", coin.Inputs.Keys);
        Assert.Contains("enhance-view/view-01/out.bin", coin.Inputs.Keys);
        var animate = script.Requests.Single(r => r.Stage == PipelineStage.AnimateView && r.Key == "src-01-clip-00");
        Assert.Contains("enhance-view/view-01/out.bin", animate.Inputs.Keys);
        Assert.DoesNotContain("enhance-view/view-03/out.bin", animate.Inputs.Keys);

        Assert.All(output.Progress.Stages, s => Assert.Equal((StageState.Completed, s.Total), (s.State, s.Done)));
        Assert.Equal(["scripted"], output.Progress.Stages.Select(s => s.Backend).Distinct());
        Assert.Contains("avatar.ply", output.Output!.Artifacts.Keys);
        Assert.Single(script.Manifests);
    }

    [Fact]
    public async Task Since_pipeline_version_3_evaluate_reads_train_coins_avatar_beside_the_export_and_older_runs_keep_export_first()
    {
        var script = new ScriptedActivities();
        await using var host = await StartAsync(script);

        var current = await RunAsync(host, "fc4d-00000000000000ab-00000001", FastPolicy with { PipelineVersion = RunIdentity.PipelineVersion });
        var old = await RunAsync(host, "fc4d-00000000000000ac-00000001"); // a policy stored before PipelineVersion existed reads 2

        Assert.Equal(("completed", "completed"), (current.Status, old.Status));
        Assert.Equal(3, RunIdentity.PipelineVersion);
        Assert.Equal(RunIdentity.PipelineVersion, new PipelineOptions().ToRunPolicy().PipelineVersion);
        StageRequest Evaluate(string runId) => script.Requests.Single(r => r.RunId == runId && r.Stage == PipelineStage.Evaluate);
        var now = Evaluate("fc4d-00000000000000ab-00000001");
        Assert.Contains("train-coin/out.bin", now.Inputs.Keys);
        Assert.DoesNotContain(now.Inputs.Keys, k => k.StartsWith("export/", StringComparison.Ordinal));
        var before = Evaluate("fc4d-00000000000000ac-00000001");
        Assert.Contains("export/out.bin", before.Inputs.Keys);
        Assert.DoesNotContain("train-coin/out.bin", before.Inputs.Keys);
        var order = script.Completed.Where(r => r.RunId == "fc4d-00000000000000ac-00000001").ToList();
        Assert.True(order.FindIndex(r => r.Stage == PipelineStage.Export) < order.FindIndex(r => r.Stage == PipelineStage.Evaluate));
        foreach (var run in new[] { current, old })
        {
            Assert.All(run.Progress.Stages, s => Assert.Equal((StageState.Completed, s.Total), (s.State, s.Done)));
            Assert.Contains("avatar.ply", run.Output!.Artifacts.Keys);
        }
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_counted_as_attempts()
    {
        var script = new ScriptedActivities { TransientFailures = { [(PipelineStage.EnhanceView, "view-01")] = 2 } };
        await using var host = await StartAsync(script);

        var output = await RunAsync(host, "fc4d-00000000000000bb-00000001");

        Assert.Equal("completed", output.Status);
        var enhance = output.Progress.Stages.Single(s => s.Name == "enhance-view");
        Assert.Equal(enhance.Total + 2, enhance.Attempts);
    }

    [Fact]
    public async Task A_permanent_failure_stops_the_run_at_once_with_its_reason()
    {
        var script = new ScriptedActivities { PermanentFailure = PipelineStage.ShapePrior };
        await using var host = await StartAsync(script);

        var output = await RunAsync(host, "fc4d-00000000000000cc-00000001");

        Assert.Equal("failed", output.Status);
        var shape = output.Progress.Stages.Single(s => s.Name == "shape-prior");
        Assert.Equal((StageState.Failed, 1), (shape.State, shape.Attempts));
        Assert.Contains("no face", shape.Detail);
        Assert.Contains("shape-prior failed: ", output.Progress.Message);
        Assert.DoesNotContain(script.Requests, r => r.Stage == PipelineStage.EnhanceBackView);
    }

    [Fact]
    public async Task A_long_job_is_polled_across_continue_as_new_and_resubmitted_when_the_worker_loses_it()
    {
        var script = new ScriptedActivities { PollsBeforeSuccess = 5, LoseJobOnPoll = 2 };
        await using var host = await StartAsync(script);

        var output = await RunAsync(host, "fc4d-00000000000000dd-00000001");

        Assert.Equal("completed", output.Status);
        Assert.True(script.Polls[PipelineStage.TrainStatic] >= 5);
        Assert.True(script.Submits[PipelineStage.TrainStatic] >= 2, "a lost job is submitted again");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task A_fan_out_keeps_at_most_the_policy_degree_of_work_items_in_flight(int degree)
    {
        var script = new ScriptedActivities { StageDelay = TimeSpan.FromMilliseconds(60) };
        await using var host = await StartAsync(script);

        var output = await RunAsync(host, $"fc4d-00000000000000ee-000000{degree:D2}", FastPolicy with { MaxParallelWorkItems = degree });

        Assert.Equal("completed", output.Status);
        Assert.Equal(4, script.Requests.Count(r => r.Stage == PipelineStage.AnimateView));
        var peak = Math.Max(script.PeakInFlight(PipelineStage.EnhanceView), script.PeakInFlight(PipelineStage.AnimateView));
        if (degree == 1)
        {
            Assert.Equal(1, peak);
        }
        else
        {
            // The control: without a tight bound the engine (two activity slots) runs work items of a stage together.
            Assert.True(peak >= 2, $"peak {peak}");
        }
    }

    [Fact]
    public async Task A_stage_that_keeps_failing_on_the_worker_reports_a_stable_reason_not_the_raw_exception_text()
    {
        var script = new ScriptedActivities { TransientFailures = { [(PipelineStage.EnhanceView, "view-01")] = 100 } };
        await using var host = await StartAsync(script);

        var output = await RunAsync(host, "fc4d-00000000000000ff-00000001");

        Assert.Equal("failed", output.Status);
        Assert.StartsWith("enhance-view failed: the GPU worker was unavailable", output.Progress.Message);
        Assert.DoesNotContain(ScriptedActivities.RawWorkerText, output.Progress.Message);
        Assert.All(output.Progress.Stages, s => Assert.DoesNotContain(ScriptedActivities.RawWorkerText, s.Detail ?? string.Empty));
    }

    private static async Task<(string Status, RunProgress Progress, RunOutput? Output)> RunAsync(DurableTaskTestHost host, string runId, RunPolicy? policy = null)
    {
        var input = new RunInput(runId, new BlobRef("runs", $"{runId}/input/portrait.jpg", "ab"), Small, policy ?? FastPolicy, RunSource.Cli);
        await host.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator, input, new StartOrchestrationOptions(runId));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        var progress = metadata.ReadCustomStatusAs<RunProgress>()!;
        return metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed
            ? ("completed", progress, metadata.ReadOutputAs<RunOutput>())
            : (metadata.RuntimeStatus.ToString().ToLowerInvariant(), progress, null);
    }

    private static Task<DurableTaskTestHost> StartAsync(ScriptedActivities script) => InProcessDurableHost.StartAsync(registry =>
    {
        registry.AddOrchestratorFunc<RunInput, RunOutput>(DurableNames.AvatarRunOrchestrator, AvatarRunOrchestrator.RunAsync);
        registry.AddOrchestratorFunc<StageJobInput, StageOutcome>(DurableNames.StageJobOrchestrator, StageJobOrchestrator.RunAsync);
        registry.AddActivityFunc<StageRequest, StageOutcome>(DurableNames.RunStageActivity, (_, r) => script.RunStage(r));
        registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.SubmitStageJobActivity, (_, r) => script.Submit(r));
        registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.PollStageJobActivity, (_, r) => script.Poll(r));
        registry.AddActivityFunc<RunManifest, BlobRef>(DurableNames.WriteManifestActivity, (_, m) => script.Manifest(m));
    });

    /// <summary>Scripted activities recording what the orchestrator asked for.</summary>
    private sealed class ScriptedActivities
    {
        public const string RawWorkerText = "worker busy: HttpRequestException at http://10.0.0.7:8000/api/jobs";

        private readonly ConcurrentDictionary<PipelineStage, int> inFlight = new();
        private readonly ConcurrentDictionary<PipelineStage, int> peaks = new();
        private readonly TaskCompletionSource staticSubmitted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<StageRequest> Requests { get; } = new();

        public ConcurrentQueue<StageRequest> Completed { get; } = new();

        public ConcurrentQueue<RunManifest> Manifests { get; } = new();

        public ConcurrentDictionary<(PipelineStage, string), int> TransientFailures { get; } = new();

        public ConcurrentDictionary<PipelineStage, int> Polls { get; } = new();

        public ConcurrentDictionary<PipelineStage, int> Submits { get; } = new();

        public PipelineStage? PermanentFailure { get; init; }

        public int PollsBeforeSuccess { get; init; }

        public int LoseJobOnPoll { get; init; } = -1;

        public bool AnimationsSawStaticTraining { get; private set; } = true;

        public TimeSpan StageDelay { get; init; } = TimeSpan.FromMilliseconds(10);

        /// <summary>Most work items of a stage that were running at the same time.</summary>
        public int PeakInFlight(PipelineStage stage) => peaks.GetValueOrDefault(stage);

        public async Task<StageOutcome> RunStage(StageRequest request)
        {
            var now = inFlight.AddOrUpdate(request.Stage, 1, (_, n) => n + 1);
            peaks.AddOrUpdate(request.Stage, now, (_, n) => Math.Max(n, now));
            try
            {
                return await RunStageCoreAsync(request);
            }
            finally
            {
                inFlight.AddOrUpdate(request.Stage, 0, (_, n) => n - 1);
            }
        }

        private async Task<StageOutcome> RunStageCoreAsync(StageRequest request)
        {
            Requests.Enqueue(request);
            if (PermanentFailure == request.Stage)
            {
                throw new StageInputRejectedException("no face in the photo");
            }

            if (TransientFailures.TryGetValue((request.Stage, request.Key), out var left) && left > 0)
            {
                TransientFailures[(request.Stage, request.Key)] = left - 1;
                throw new GpuWorkerUnavailableException(RawWorkerText);
            }

            if (request.Stage == PipelineStage.AnimateView && request.Key == "src-00-clip-00")
            {
                // Parallel branches: one video item waits until static training is submitted (the test engine runs
                // two activities at a time, so the other slot serves everything else).
                var seen = await Task.WhenAny(staticSubmitted.Task, Task.Delay(TimeSpan.FromSeconds(10))) == staticSubmitted.Task;
                AnimationsSawStaticTraining &= seen;
            }

            await Task.Delay(StageDelay);
            return Finish(request);
        }

        public Task<JobPoll> Submit(StageRequest request)
        {
            Requests.Enqueue(request);
            if (request.Stage == PipelineStage.TrainStatic)
            {
                staticSubmitted.TrySetResult();
            }

            Submits.AddOrUpdate(request.Stage, 1, (_, n) => n + 1);
            return Task.FromResult(PollsBeforeSuccess == 0
                ? new JobPoll(JobState.Succeeded, null, Finish(request), false, 1)
                : new JobPoll(JobState.Running, new JobProgress(0, 10), null, false, 1));
        }

        public Task<JobPoll> Poll(StageRequest request)
        {
            var polls = Polls.AddOrUpdate(request.Stage, 1, (_, n) => n + 1);
            if (polls == LoseJobOnPoll)
            {
                Submits.AddOrUpdate(request.Stage, 1, (_, n) => n + 1);
                return Task.FromResult(new JobPoll(JobState.Queued, null, null, Resubmitted: true, 2));
            }

            return Task.FromResult(polls >= PollsBeforeSuccess
                ? new JobPoll(JobState.Succeeded, new JobProgress(10, 10), Finish(request), false, 1)
                : new JobPoll(JobState.Running, new JobProgress(polls, 10, $"iteration {polls}"), null, false, 1));
        }

        public Task<BlobRef> Manifest(RunManifest manifest)
        {
            Manifests.Enqueue(manifest);
            return Task.FromResult(StorageLayout.AvatarArtifact(manifest.Input.RunId, RunManifest.FileName));
        }

        private StageOutcome Finish(StageRequest request)
        {
            Completed.Enqueue(request);
            var outputs = new Dictionary<string, BlobRef> { ["out.bin"] = StorageLayout.StageOutput(request.RunId, request.Stage, request.Key, "out.bin") with { Sha256 = "ff" } };
            if (request.Stage == PipelineStage.Export)
            {
                outputs["avatar.ply"] = StorageLayout.AvatarArtifact(request.RunId, "avatar.ply");
            }

            return new StageOutcome(request.Stage, request.Key, outputs, "scripted", Reused: false, 5, 1);
        }
    }
}
