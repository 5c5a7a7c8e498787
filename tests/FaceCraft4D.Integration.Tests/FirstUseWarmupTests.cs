using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost;
using FaceCraft4D.LocalHost.Warmup;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// The local host's start-up warm-up: the orchestrations replayed in memory reach the run's first sub-orchestrations, the
/// host's start does not wait for it, and it reads but never writes (no stack needed: storage and the worker are doubles).
/// </summary>
public sealed class FirstUseWarmupTests
{
    [Fact]
    public void The_in_memory_replay_runs_the_run_orchestrator_through_its_activities_to_the_first_sub_orchestrations()
    {
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var driver = new InMemoryOrchestrationDriver(services);
        var input = new RunInput(FirstUseWarmup.WarmupRunId, StorageLayout.RunInput(FirstUseWarmup.WarmupRunId, "portrait.jpg"),
            PipelinePresets.Preview, RunPolicy.Default, RunSource.Cli);
        var asked = new List<PipelineStage>();
        var submitted = new List<PipelineStage>();

        var steps = driver.Run<RunInput, RunOutput>(
            DurableNames.AvatarRunOrchestrator, AvatarRunOrchestrator.RunAsync, input,
            (name, json) =>
            {
                var request = driver.Read<StageRequest>(json) ?? throw new InvalidOperationException($"unreadable activity input: {json}");
                if (name == DurableNames.SubmitStageJobActivity)
                {
                    // New runs submit their jobs themselves (RunPolicy.JobsSubmittedByRun), then start each job's sub-orchestration.
                    submitted.Add(request.Stage);
                    return new JobPoll(JobState.Queued, null, null, Resubmitted: false, WorkerCalls: 1);
                }

                asked.Add(request.Stage);
                return new StageOutcome(request.Stage, request.Key, new Dictionary<string, BlobRef>(), "warmup", false, 0, 1);
            },
            maxSteps: 8, new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc));

        // Replayed step after step: each completion reached the orchestrator and it asked for the next stage.
        Assert.True(RunPolicy.Default.JobsSubmittedByRun);
        Assert.Equal([PipelineStage.Preprocess, PipelineStage.ShapePrior, PipelineStage.EnhanceBackView], asked);
        var fanOut = steps[^1];
        Assert.Empty(fanOut.Activities);
        var views = PipelinePlan.For(PipelinePresets.Preview).WorkItems(PipelineStage.EnhanceView).Count;
        var started = Math.Min(views, RunPolicy.Default.MaxParallelWorkItems);
        Assert.Equal(Enumerable.Repeat(PipelineStage.EnhanceView, started), submitted);
        Assert.Equal(started, fanOut.SubOrchestrations.Count);
        Assert.All(fanOut.SubOrchestrations, name => Assert.Equal(DurableNames.StageJobOrchestrator, name));
    }

    [Fact]
    public async Task The_start_does_not_wait_for_it_and_it_only_reads()
    {
        var blobs = new GatedBlobStore(new InMemoryBlobStore(), open: false);
        var worker = new StampingWorker();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddHttpClient()
            .AddSingleton<IGpuWorkerClient>(worker)
            .AddSingleton(new CheckpointStore(blobs))
            .Configure<LocalStackOptions>(o => o.WarmUpWait = TimeSpan.FromSeconds(2))
            .Configure<GpuWorkerOptions>(o => o.BaseUrl = "http://127.0.0.1:9/") // nothing listens: the wait for the workers ends at once
            .Configure<PipelineOptions>(_ => { })
            .AddSingleton<FirstUseWarmup>()
            .BuildServiceProvider();
        var warmup = services.GetRequiredService<FirstUseWarmup>();

        var start = warmup.StartAsync(CancellationToken.None);
        Assert.Same(start, await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.False(await warmup.WaitAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None) && blobs.Reads == 0);

        blobs.Open();
        Assert.True(await warmup.WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None));

        Assert.Equal(1, worker.Stamps);
        Assert.True(blobs.Reads >= 1);
        Assert.Equal(0, blobs.Writes);
        await warmup.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Switched_off_it_is_done_at_once_and_calls_nothing()
    {
        var blobs = new GatedBlobStore(new InMemoryBlobStore(), open: false);
        var worker = new StampingWorker();
        var warmup = new FirstUseWarmup(
            new ServiceCollection().AddSingleton<IGpuWorkerClient>(worker).AddSingleton(new CheckpointStore(blobs)).BuildServiceProvider(),
            Options.Create(new LocalStackOptions { WarmUp = false }), Options.Create(new GpuWorkerOptions { BaseUrl = "http://127.0.0.1:9/" }),
            Options.Create(new PipelineOptions()), new NoHttp(), NullLogger<FirstUseWarmup>.Instance);

        await warmup.StartAsync(CancellationToken.None);

        Assert.True(await warmup.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal(0, worker.Stamps + blobs.Reads + blobs.Writes);
    }

    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("not used when switched off");
    }

    /// <summary>Answers the implementation stamp; any job call fails the test.</summary>
    private sealed class StampingWorker : IGpuWorkerClient
    {
        private int stamps;

        public int Stamps => Volatile.Read(ref stamps);

        public Task<StageImplementation?> GetStageImplementationAsync(StageRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref stamps);
            return Task.FromResult<StageImplementation?>(new StageImplementation(request.Stage, 1, StageImplementation.NoWeights));
        }

        public Task<WorkerReply<JobStatus>> SubmitJobAsync(StageRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the warm-up must not submit a job");

        public Task<WorkerReply<JobStatus?>> GetJobAsync(StageRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the warm-up must not poll a job");

        public Task<WorkerReply<JobStatus?>> WaitForJobAsync(StageRequest request, TimeSpan wait, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the warm-up must not poll a job");

        public Task CancelJobAsync(StageRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the warm-up must not cancel a job");

        public Task CancelJobAsync(JobKey job, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the warm-up must not cancel a job");
    }
}
