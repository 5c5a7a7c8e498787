using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Testing;
using Xunit;
using Xunit.Abstractions;
using static FaceCraft4D.Testing.RunStatusPoller;

namespace FaceCraft4D.Integration.Tests;

/// <summary>
/// kill -9 of the local host process during the fan-out, restart on the same storage: the run completes, no
/// finished work item is executed again, and work that finished while the host was down is collected, not redone.
/// </summary>
public sealed class CrashRecoveryTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_killed_host_resumes_the_run_without_re_executing_completed_work()
    {
        // One slow job at a time, so several EnhanceView jobs are queued at the worker when the host dies.
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(1200), maxConcurrentJobs: 1,
            longStageDuration: TimeSpan.FromMilliseconds(600));
        var configuration = new Dictionary<string, string>(TestConfiguration.Fast("crash"))
        {
            ["Fc4d:Local:StorageConnectionString"] = azurite.ConnectionString,
            ["Fc4d:Local:WorkerUrls"] = worker.Url.ToString(),
        };
        var port = FreeTcpPort.Find();
        var log = Path.Combine(azurite.DataDirectory, "local-host.log");
        await using var logs = FailedTestLogs.For(output).Add(log).Add(azurite);
        const string settings = "{\"viewCount\":8,\"sourceViewCount\":2,\"clipCount\":1}";

        string runId;
        await using (var first = await LocalHostProcess.StartAsync(port, configuration, log))
        {
            using var http = new HttpClient { BaseAddress = new Uri(first.BaseUrl) };
            runId = await PortraitSubmission.SubmitAsync(http, TestPortraits.Jpeg(21), settings);
            var beforeKill = await WaitForAsync(http, runId, s => Stage(s, "enhance-view") is { State: StageState.Running, Done: >= 1 }, TimeSpan.FromMinutes(2));
            output.WriteLine($"killing the host with enhance-view at {Stage(beforeKill, "enhance-view")!.Done}/{Stage(beforeKill, "enhance-view")!.Total}");
            first.KillHard();
        }

        await using var second = await LocalHostProcess.StartAsync(port, configuration, log);
        using var client = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
        var final = await WaitForAsync(client, runId, s => s.RuntimeStatus is not ("Pending" or "Running"), TimeSpan.FromMinutes(4));

        Assert.True(final.RuntimeStatus == "Completed", $"{final.RuntimeStatus}: {final.Error}");
        Assert.Empty(worker.Ledger.Duplicates());
        var enhance = Stage(final, "enhance-view")!;
        output.WriteLine(string.Join(Environment.NewLine, final.CustomStatus!.Stages.Select(s => $"{s.Name}: done {s.Done}/{s.Total} reused {s.Reused} attempts {s.Attempts}")));
        Assert.Equal(enhance.Total, enhance.Done);
        // Fan-out items are job sub-orchestrations (RunPolicy.WorkItemsAsJobs): the jobs that ran on at the worker while the
        // host was down are collected by their items' polls after the restart, not submitted again, so each item ran once.
        Assert.Equal(enhance.Total, worker.Ledger.StageTotal(PipelineStage.EnhanceView));
        logs.Passed();
    }
}
