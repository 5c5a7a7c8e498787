using FaceCraft4D.Contracts;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>The run survives an unreliable GPU worker: HTTP retries with jitter, attempt timeouts, durable retries.</summary>
public sealed class FaultToleranceTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_run_completes_while_30_percent_of_worker_calls_fail_with_503_or_time_out()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(100));
        worker.Faults.Rate = 0.3;
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "faults");

        var submission = await host.SubmitAsync(TestPortraits.Jpeg(11));
        var status = await host.WaitForEndAsync(submission.RunId, TimeSpan.FromMinutes(6));

        Assert.True(status.RuntimeStatus == "Completed", $"{status.RuntimeStatus}: {status.Error}");
        var share = (double)worker.Faults.Faults / worker.Faults.Calls;
        Assert.True(worker.Faults.Faults >= 5 && share is > 0.15 and < 0.45, $"{worker.Faults.Faults} faults in {worker.Faults.Calls} calls");
        Assert.Empty(worker.Ledger.Duplicates());
        var plan = PipelinePlan.For(PipelinePresets.Preview with { ViewCount = 4, SourceViewCount = 2, ClipCount = 2 });
        Assert.Equal(PipelineStages.All.Sum(s => plan.WorkItems(s).Count), worker.Ledger.RunTotal(submission.RunId));
    }
}
