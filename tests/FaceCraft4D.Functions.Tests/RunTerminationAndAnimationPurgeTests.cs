using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Terminate marks the run terminated (so a job submitted late by an activity in flight is refused by the worker) and a
/// resubmission lifts the mark; terminate and purge cover the run's animation jobs (<c>{runId}.{animationId}</c>) and
/// purge deletes their blobs and uploads. Runs and animation jobs here never finish on their own.
/// </summary>
public sealed class RunTerminationAndAnimationPurgeTests : IAsyncLifetime
{
    private ApiTestHost host = null!;
    private DurableTaskTestHost durable = null!;

    public async Task InitializeAsync()
    {
        host = await ApiTestHost.StartAsync((context, _) => context.WaitForExternalEvent<RunOutput>("never"));
        durable = await InProcessDurableHost.StartAsync(r => r
            .AddOrchestratorFunc<object?, object?>(DurableNames.AvatarRunOrchestrator, (context, _) => context.WaitForExternalEvent<object?>("never"))
            .AddOrchestratorFunc<object?, object?>(DurableNames.VideoAnimationOrchestrator, (context, _) => context.WaitForExternalEvent<object?>("never")));
    }

    public async Task DisposeAsync()
    {
        await durable.DisposeAsync();
        await host.DisposeAsync();
    }

    [Fact]
    public async Task Terminate_marks_the_run_so_late_jobs_are_refused_and_a_resubmission_lifts_the_mark()
    {
        var marker = new RunTerminationMarker(host.Blobs, TimeProvider.System);
        var image = new BinaryData(TestPortraits.Jpeg(301));
        var runId = (await Runs().SubmitAsync(image, "p.jpg", null, null, RunSource.Http, default)).RunId;
        await WaitForStatusAsync(runId, OrchestrationRuntimeStatus.Running);
        Assert.Null(await marker.FindAsync(runId, default));

        Assert.True(await Runs().TerminateAsync(runId, "user asked", default));
        var mark = await marker.FindAsync(runId, default);
        await WaitForStatusAsync(runId, OrchestrationRuntimeStatus.Terminated);

        var again = await Runs().SubmitAsync(image, "p.jpg", null, null, RunSource.Http, default);

        Assert.NotNull(mark);
        Assert.Contains("user asked", mark!.RefusalMessage);
        Assert.True(mark.Until > DateTimeOffset.UtcNow.AddMinutes(30)); // outlasts any activity still in flight
        Assert.Equal((runId, true), (again.RunId, again.Created));
        Assert.Null(await marker.FindAsync(runId, default));
    }

    [Fact]
    public async Task Purge_waits_for_the_runs_animation_jobs_and_then_removes_them_with_their_blobs_and_uploads()
    {
        const string runId = "fc4d-dddddddddddddddd-0000000000000001";
        const string other = "fc4d-dddddddddddddddd-0000000000000002";
        var animation = $"{runId}.anim-0123456789abcdef";
        await durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator, new StartOrchestrationOptions(runId));
        await durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.VideoAnimationOrchestrator, new StartOrchestrationOptions(animation));
        await durable.Client.TerminateInstanceAsync(runId, "run ended");
        await WaitForStatusAsync(runId, OrchestrationRuntimeStatus.Terminated);
        await WaitForStatusAsync(animation, OrchestrationRuntimeStatus.Running);
        var blobs = new[]
        {
            new BlobRef(StorageLayout.RunsContainer, $"{runId}/animations/anim-0123456789abcdef/video.mp4"),
            new BlobRef(StorageLayout.AvatarsContainer, $"{runId}/animation/talk.safetensors"),
            new BlobRef(StorageLayout.UploadsContainer, $"animations/{runId}/talk.mp4"),
        };
        var kept = new[]
        {
            new BlobRef(StorageLayout.UploadsContainer, $"animations/{other}/talk.mp4"),
            new BlobRef(StorageLayout.RunsContainer, $"{other}/input/settings.json"),
        };
        foreach (var blob in blobs.Concat(kept))
        {
            await host.Blobs.WriteAsync(blob, BinaryData.FromString("x"), "application/octet-stream", default);
        }

        var whileAnimating = await Runs().PurgeAsync(runId, deleteData: true, default);
        Assert.Equal(PurgeOutcome.StillRunning, whileAnimating);
        Assert.NotNull(await host.Blobs.GetInfoAsync(blobs[0], default));

        Assert.True(await Runs().TerminateAsync(runId, "stop the clip", default)); // an ended run's terminate stops its animation jobs
        await WaitForStatusAsync(animation, OrchestrationRuntimeStatus.Terminated);
        var purged = await Runs().PurgeAsync(runId, deleteData: true, default);

        Assert.Equal(PurgeOutcome.Purged, purged);
        Assert.Null(await durable.Client.GetInstanceAsync(animation));
        Assert.Null(await durable.Client.GetInstanceAsync(runId));
        foreach (var blob in blobs)
        {
            Assert.Null(await host.Blobs.GetInfoAsync(blob, default));
        }

        foreach (var blob in kept)
        {
            Assert.NotNull(await host.Blobs.GetInfoAsync(blob, default));
        }
    }

    private AvatarRunService Runs() => host.Services.GetRequiredService<ClientBoundApi>().Runs(durable.Client);

    private async Task WaitForStatusAsync(string instanceId, OrchestrationRuntimeStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if ((await durable.Client.GetInstanceAsync(instanceId))?.RuntimeStatus == status)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{instanceId} did not become {status}");
    }
}
