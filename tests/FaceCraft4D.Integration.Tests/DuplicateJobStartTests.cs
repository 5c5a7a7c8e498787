using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// The hang of a video job whose chunks are job sub-orchestrations after a kill -9 of the host (issue 14 follow-up), on
/// the local host's real durable engine (<see cref="DurableSidecar"/>: the Azure Storage provider on Azurite behind the gRPC
/// sidecar). The provider sends an episode's messages before it saves the episode's history; a host killed in between
/// replays the episode after its restart and starts the same chunk sub-orchestration a second time: a second
/// <c>ExecutionStarted</c> for the running instance, under a new execution id, in its control queue next to its history.
/// Here that message is delivered while the chunk's job is being polled (the kill itself is timing: the end-to-end test
/// <see cref="VideoAnimationEndToEndTests"/> kills the host at about that moment). Without the reconciliation in
/// <see cref="SidecarSafeOrchestrationService{TService}"/> the start is added to the running instance's history, the
/// orchestrator body runs a second time inside it, the chunk's job is submitted twice and the instance never completes:
/// the animation waits forever.
/// </summary>
public sealed class DuplicateJobStartTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string RunId = "fc4d-00000000000000bb-00000001";

    [Fact]
    public async Task A_chunk_job_started_again_by_a_replayed_episode_runs_once_and_the_animation_completes()
    {
        await using var logs = FailedTestLogs.For(output).Add(azurite);
        var script = new ScriptedJobs(pollTime: TimeSpan.FromSeconds(2));
        var input = Input();
        var chunk = DurableNames.WorkItemJobInstanceId(input.InstanceId, PipelineStage.TrackVideo, VideoAnimationContract.ChunkKey(input.AnimationId, 0));
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddProvider(new OutputLoggerProvider(output)));
        var options = new DurableEngineOptions
        {
            TaskHubName = "dupstart" + Guid.NewGuid().ToString("N")[..8], PartitionCount = 1, MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200),
            LeaseInterval = TimeSpan.FromSeconds(9), ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(15), WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(15),
        };
        await using var sidecar = await DurableSidecar.StartAsync(options, azurite.ConnectionString, loggerFactory, CancellationToken.None);
        using var host = StartWorker(sidecar, script);
        await host.StartAsync();
        var client = host.Services.GetRequiredService<DurableTaskClient>();

        await client.ScheduleNewOrchestrationInstanceAsync(DurableNames.VideoAnimationOrchestrator, input, new StartOrchestrationOptions(input.InstanceId));
        await script.ChunkPolled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var first = (await sidecar.Engine.GetOrchestrationStateAsync(chunk, allExecutions: false)).Single();
        Assert.Equal(OrchestrationStatus.Running, first.OrchestrationStatus);
        var parent = (await sidecar.Engine.GetOrchestrationStateAsync(input.InstanceId, allExecutions: false)).Single();
        var again = new OrchestrationInstance { InstanceId = chunk, ExecutionId = Guid.NewGuid().ToString("N") };
        await sidecar.Engine.SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            OrchestrationInstance = again,
            Event = new ExecutionStartedEvent(-1, first.Input)
            {
                Name = DurableNames.StageJobOrchestrator,
                OrchestrationInstance = again,
                // The parent's first task: the sub-orchestration of chunk 0.
                ParentInstance = new ParentInstance { OrchestrationInstance = parent.OrchestrationInstance, Name = DurableNames.VideoAnimationOrchestrator, TaskScheduleId = 0 },
            },
        });

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        OrchestrationMetadata done;
        try
        {
            done = await client.WaitForInstanceCompletionAsync(input.InstanceId, getInputsAndOutputs: true, wait.Token);
        }
        catch (OperationCanceledException)
        {
            var child = await client.GetInstanceAsync(chunk, getInputsAndOutputs: true);
            Assert.Fail($"the animation did not complete; chunk 0 is {child?.RuntimeStatus} ({child?.SerializedCustomStatus}); submissions: {string.Join(", ", script.Submitted)}");
            throw;
        }

        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage} {done.SerializedCustomStatus}");
        var ended = (await sidecar.Engine.GetOrchestrationStateAsync(chunk, allExecutions: false)).Single();
        Assert.Equal((OrchestrationStatus.Completed, first.OrchestrationInstance.ExecutionId), (ended.OrchestrationStatus, ended.OrchestrationInstance.ExecutionId));
        Assert.Equal(
            [VideoAnimationContract.ChunkKey(input.AnimationId, 0), VideoAnimationContract.ChunkKey(input.AnimationId, 1)],
            script.Submitted.Order(StringComparer.Ordinal)); // each chunk's job submitted once
        var track = done.ReadCustomStatusAs<RunProgress>()!.Stages.Single(s => s.Name == "track-video");
        Assert.Equal((StageState.Completed, 2, 2), (track.State, track.Done, track.Attempts));
        await host.StopAsync();
        logs.Passed();
    }

    private static VideoAnimationInput Input()
    {
        var animationId = AnimationIdentity.For(RunId, new string('7', 64), "talk", 25, ExpressionTransfer.Relative);
        var policy = new RunPolicy(
            JobPollInterval: TimeSpan.FromMilliseconds(100), MaxJobPollInterval: TimeSpan.FromMilliseconds(200), ActivityMaxAttempts: 3,
            ActivityFirstRetryDelay: TimeSpan.FromMilliseconds(100), ActivityMaxRetryDelay: TimeSpan.FromMilliseconds(200), WorkItemsAsJobs: true);
        return new VideoAnimationInput(
            RunId, animationId, VideoAnimationContract.VideoInput(RunId, animationId, "video.mp4") with { Sha256 = new string('7', 64) },
            StorageLayout.AvatarArtifact(RunId, "avatar_rig.safetensors") with { Sha256 = "rig" }, "talk", 25, ExpressionTransfer.Relative,
            ChunkFrames: 40, Overlap: 4, TotalFrames: 80, MaxParallelChunks: 1, Settings: PipelinePresets.Preview, Policy: policy);
    }

    private static IHost StartWorker(DurableSidecar sidecar, ScriptedJobs script)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(sidecar.Channel);
            worker.AddTasks(registry =>
            {
                registry.AddOrchestratorFunc<VideoAnimationInput, VideoAnimationOutput>(DurableNames.VideoAnimationOrchestrator, VideoAnimationOrchestrator.RunAsync);
                registry.AddOrchestratorFunc<StageJobInput, StageOutcome>(DurableNames.StageJobOrchestrator, StageJobOrchestrator.RunAsync);
                registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.SubmitStageJobActivity, (_, r) => script.Submit(r));
                registry.AddActivityFunc<StageRequest, JobPoll>(DurableNames.PollStageJobActivity, (_, r) => script.PollAsync(r));
                registry.AddActivityFunc<StageRequest, StageOutcome>(DurableNames.RunStageActivity, (_, r) => ScriptedJobs.Outcome(r));
                registry.AddActivityFunc<AnimationPublication, IReadOnlyDictionary<string, BlobRef>>(
                    DurableNames.PublishAnimationActivity, (_, p) => p.Clip);
            });
        });
        builder.Services.AddDurableTaskClient(client => client.UseGrpc(sidecar.Channel));
        return builder.Build();
    }

    /// <summary>What a worker would answer: a job per chunk that takes <c>pollTime</c> to end; submissions recorded.</summary>
    private sealed class ScriptedJobs(TimeSpan pollTime)
    {
        public ConcurrentQueue<string> Submitted { get; } = new();

        /// <summary>Set once chunk 0's job is being polled.</summary>
        public TaskCompletionSource ChunkPolled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public JobPoll Submit(StageRequest request)
        {
            Submitted.Enqueue(request.Key);
            return new JobPoll(JobState.Running, null, null, Resubmitted: false, WorkerCalls: 1);
        }

        public async Task<JobPoll> PollAsync(StageRequest request)
        {
            if (request.Key.EndsWith("-000", StringComparison.Ordinal))
            {
                ChunkPolled.TrySetResult();
            }

            await Task.Delay(pollTime);
            return new JobPoll(JobState.Succeeded, null, Outcome(request), Resubmitted: false, WorkerCalls: 1);
        }

        public static StageOutcome Outcome(StageRequest request)
        {
            string[] files = request.Stage == PipelineStage.TrackVideo
                ? [VideoAnimationContract.Files.TrackFile]
                : [VideoAnimationContract.Files.Clip, VideoAnimationContract.Files.PreviewMp4, VideoAnimationContract.Files.Report];
            return new StageOutcome(
                request.Stage, request.Key, files.ToDictionary(f => f, f => StorageLayout.StageOutput(request.RunId, request.Stage, request.Key, f)),
                $"{request.Stage.Slug()}:scripted", Reused: false, 10, 1);
        }
    }

    /// <summary>The engine's warnings (a dropped message among them) in the test output.</summary>
    private sealed class OutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new OutputLogger(output, categoryName);

        public void Dispose()
        {
        }

        private sealed class OutputLogger(ITestOutputHelper output, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                try
                {
                    output.WriteLine($"{logLevel} {category}: {formatter(state, exception)}");
                }
                catch (InvalidOperationException)
                {
                    // the test has ended
                }
            }
        }
    }
}
