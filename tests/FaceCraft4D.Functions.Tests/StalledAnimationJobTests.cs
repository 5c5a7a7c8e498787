using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// The local host's stalled-run monitor covers animation jobs (<c>{runId}.{animationId}</c>): one that waits for work that
/// no longer exists (no progress, no queued message on a real Azurite's task hub, no live worker job) is restarted with
/// the same input; one whose run has a live worker job is left alone.
/// </summary>
public sealed class StalledAnimationJobTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string RunId = "fc4d-cccccccccccccccc-0000000000000001";
    private const string AnimationId = "anim-0123456789abcdef";
    private readonly InMemoryBlobStore blobs = new();
    private readonly ShiftedClock clock = new();
    private DurableTaskTestHost durable = null!;

    public async Task InitializeAsync() =>
        durable = await InProcessDurableHost.StartAsync(r => r.AddOrchestratorFunc<VideoAnimationInput, object?>(
            DurableNames.VideoAnimationOrchestrator, (context, _) => context.WaitForExternalEvent<object?>("never")));

    public async Task DisposeAsync() => await durable.DisposeAsync();

    [Fact]
    public async Task A_stalled_animation_job_is_restarted_with_its_input_and_one_with_a_live_worker_job_is_not()
    {
        var input = new VideoAnimationInput(
            RunId, AnimationId, new BlobRef("runs", $"{RunId}/animations/{AnimationId}/input/video.mp4", "ab"), new BlobRef("avatars", $"{RunId}/avatar_rig.safetensors"),
            "talk", 25, ExpressionTransfer.Relative, 50, 4, 120, 2, PipelinePresets.Preview, RunPolicy.Default);
        await durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.VideoAnimationOrchestrator, input, new StartOrchestrationOptions(input.InstanceId));
        var before = await WaitForRunningAsync(input.InstanceId, after: DateTimeOffset.MinValue);
        var monitor = Monitor();

        // A live worker job of the run (heartbeat now): not stalled, whatever the clock says.
        clock.Shift = TimeSpan.FromMinutes(10);
        var job = JobKey.For(new StageRequest(RunId, PipelineStage.TrackVideo, $"{AnimationId}-chunk-000", new Dictionary<string, BlobRef>(), PipelinePresets.Preview, new Dictionary<string, string>()));
        var record = StorageLayout.StageOutput(RunId, PipelineStage.TrackVideo, $"{AnimationId}-chunk-000", $"jobs/{job.InputHashPrefix}.json");
        var now = clock.GetUtcNow();
        var status = new JobStatus(job.Id, PipelineStage.TrackVideo, JobState.Running, null, null, null, null, now, now);
        await blobs.WriteAsync(record, BinaryData.FromObjectAsJson(new { status, owner = "w1", heartbeatAt = now }, ContractJson.Options), "application/json", default);
        Assert.Empty(await monitor.CheckOnceAsync(default));

        // No live job anywhere, no message on the task hub, no progress for longer than StallAfter: restarted.
        await blobs.DeleteAsync(record, default);
        var repaired = await monitor.CheckOnceAsync(default);

        Assert.Equal([input.InstanceId], repaired);
        var after = await WaitForRunningAsync(input.InstanceId, after: before.CreatedAt);
        Assert.Equal(input with { Notes = null, RunInputs = null }, after.ReadInputAs<VideoAnimationInput>()! with { Notes = null, RunInputs = null });
    }

    private StalledRunMonitor Monitor() => new(
        durable.Client,
        new TaskHubQueueProbe(azurite.ConnectionString, "stalledanimtest"),
        new RunJobCanceller(blobs, null!, NullLogger<RunJobCanceller>.Instance),
        new RunSubmissionGates(),
        Options.Create(new StalledRunOptions { StallAfter = TimeSpan.FromMinutes(5), MaxRestarts = 1 }),
        clock,
        NullLogger<StalledRunMonitor>.Instance);

    private async Task<OrchestrationMetadata> WaitForRunningAsync(string instanceId, DateTimeOffset after)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await durable.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true) is { RuntimeStatus: OrchestrationRuntimeStatus.Running } running
                && running.CreatedAt > after)
            {
                return running;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{instanceId} did not (re)start");
    }

    /// <summary>The real clock moved ahead, so instances look idle for longer than they were.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + Shift;
    }
}
