using Azure.Storage.Queues;
using FaceCraft4D.Contracts;
using FaceCraft4D.Testing;
using Xunit;
using Xunit.Abstractions;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// The failure seen when Azurite died before persisting its queues: a run's fan-out activity messages are gone, the
/// orchestration waits for their results forever. Reproduced on the real engine: the host stops during the
/// enhance-view fan-out, the task hub's work-item queue is emptied, the host starts again. The stalled-run monitor
/// must notice (no progress, no message anywhere, no live worker job) and restart the run from its checkpoints.
/// </summary>
public sealed class StalledRunRepairTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const string TaskHub = "stalled";

    [Fact]
    public async Task A_run_whose_activity_messages_were_lost_is_detected_and_restarted_from_its_checkpoints()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(400), maxConcurrentJobs: 1);
        const string settings = "{\"viewCount\":8,\"sourceViewCount\":2,\"clipCount\":1}";
        string runId;
        await using (var first = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], TaskHub,
                         extra: new Dictionary<string, string> { ["Fc4d:StalledRuns:CheckInterval"] = "00:00:00" }))
        {
            runId = (await first.SubmitAsync(TestPortraits.Jpeg(31), settings)).RunId;
            await WaitForAsync(first, runId, s => s.CustomStatus?.Stages.SingleOrDefault(x => x.Name == "enhance-view") is { Done: >= 2 });
        }

        // What the killed emulator lost: every message of the task hub's work-item queue (in flight or not).
        var queues = new QueueServiceClient(azurite.ConnectionString);
        await queues.GetQueueClient($"{TaskHub}-workitems").ClearMessagesAsync();
        await Task.Delay(TimeSpan.FromSeconds(2)); // the worker finishes the jobs it had; their records end

        var restartedAfter = DateTimeOffset.UtcNow;
        await using var second = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], TaskHub,
            extra: new Dictionary<string, string>
            {
                ["Fc4d:StalledRuns:CheckInterval"] = "00:00:01",
                ["Fc4d:StalledRuns:StallAfter"] = "00:00:10",
            });
        // The repair terminates the stalled instance, then starts the run again: wait for the new instance's end.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        var final = await second.WaitForEndAsync(runId, TimeSpan.FromMinutes(3));
        while (final.CreatedTime <= restartedAfter && deadline - DateTime.UtcNow > TimeSpan.FromSeconds(1))
        {
            await Task.Delay(200);
            final = await second.WaitForEndAsync(runId, deadline - DateTime.UtcNow);
        }

        // Without a restart the last status seen is the stalled instance's own (its status and stages say where it stopped).
        Assert.True(final.CreatedTime > restartedAfter, $"the run was not restarted within 3 min; last status {final.RuntimeStatus} " +
            $"(created {final.CreatedTime:HH:mm:ss.fff}, restart host up at {restartedAfter:HH:mm:ss.fff}): " +
            string.Join(", ", final.CustomStatus?.Stages.Select(s => $"{s.Name} {s.Done}/{s.Total}") ?? []));

        foreach (var stage in final.CustomStatus!.Stages)
        {
            output.WriteLine($"{stage.Name,-16} {stage.Done}/{stage.Total} reused {stage.Reused}");
        }

        Assert.True(final.RuntimeStatus == "Completed", $"{final.RuntimeStatus}: {final.Error}");
        Assert.True(final.CreatedTime > restartedAfter, "the run should have been restarted as a new instance");
        Assert.True(final.CustomStatus.Stages.Single(s => s.Name == "enhance-view").Reused >= 2, "finished work items are reused from checkpoints");
        Assert.Empty(worker.Ledger.Duplicates());
    }

    private static async Task WaitForAsync(LocalHostHarness host, string runId, Func<FaceCraft4D.Api.AvatarStatusView, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (await host.Runs.GetStatusAsync(runId, host.BaseUrl, CancellationToken.None) is { } status && condition(status))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{runId}: condition not met");
    }
}
