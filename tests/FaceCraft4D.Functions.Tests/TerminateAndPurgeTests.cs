using FaceCraft4D.Api;
using FaceCraft4D.Pipeline;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Terminate and purge look at every state a run can still work in (pending, running, suspended), not only Running,
/// and purge covers the run's evaluation instances (<c>{batchId}.{runId}</c>).
/// </summary>
public sealed class TerminateAndPurgeTests : IAsyncLifetime
{
    private ApiTestHost host = null!;

    public async Task InitializeAsync() =>
        host = await ApiTestHost.StartAsync(async (context, _) =>
        {
            await context.WaitForExternalEvent<string>("never");
            throw new InvalidOperationException("unreachable");
        });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_suspended_run_is_not_purged_and_terminate_ends_it()
    {
        const string runId = "fc4d-eeeeeeeeeeeeeeee-00000001";
        var client = host.Durable.Client;
        await StartAsync(runId);
        await client.SuspendInstanceAsync(runId);
        await WaitForStatusAsync(runId, OrchestrationRuntimeStatus.Suspended);

        var purgeWhileSuspended = await Runs().PurgeAsync(runId, deleteData: true, default);
        var terminated = await Runs().TerminateAsync(runId, "test", default);
        await WaitForStatusAsync(runId, OrchestrationRuntimeStatus.Terminated);
        var purged = await Runs().PurgeAsync(runId, deleteData: true, default);

        Assert.Equal(PurgeOutcome.StillRunning, purgeWhileSuspended);
        Assert.True(terminated);
        Assert.Equal(PurgeOutcome.Purged, purged);
        Assert.Null(await client.GetInstanceAsync(runId));
    }

    [Fact]
    public async Task A_run_with_an_active_evaluation_instance_is_not_purged_and_purge_removes_the_evaluation_instances()
    {
        const string runId = "fc4d-eeeeeeeeeeeeeeee-00000002";
        var evaluation = $"eval-set-20261206-120000-abcd.{runId}";
        var client = host.Durable.Client;
        await StartAsync(evaluation);
        await WaitForStatusAsync(evaluation, OrchestrationRuntimeStatus.Running);

        var whileEvaluating = await Runs().PurgeAsync(runId, deleteData: false, default);
        await client.TerminateInstanceAsync(evaluation, "test");
        await WaitForStatusAsync(evaluation, OrchestrationRuntimeStatus.Terminated);
        var afterwards = await Runs().PurgeAsync(runId, deleteData: false, default);

        Assert.Equal(PurgeOutcome.StillRunning, whileEvaluating);
        Assert.Equal(PurgeOutcome.Purged, afterwards);
        Assert.Null(await client.GetInstanceAsync(evaluation));
    }

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Pending, true)]
    [InlineData(OrchestrationRuntimeStatus.Running, true)]
    [InlineData(OrchestrationRuntimeStatus.Suspended, true)]
    [InlineData(OrchestrationRuntimeStatus.Completed, false)]
    [InlineData(OrchestrationRuntimeStatus.Failed, false)]
    [InlineData(OrchestrationRuntimeStatus.Terminated, false)]
    public void Pending_running_and_suspended_runs_are_active(OrchestrationRuntimeStatus status, bool active) =>
        Assert.Equal(active, AvatarRunService.IsActive(status));

    private AvatarRunService Runs() => host.Services.GetRequiredService<ClientBoundApi>().Runs(host.Durable.Client);

    private Task StartAsync(string instanceId) =>
        host.Durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator, new StartOrchestrationOptions(instanceId));

    private async Task WaitForStatusAsync(string instanceId, OrchestrationRuntimeStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if ((await host.Durable.Client.GetInstanceAsync(instanceId))?.RuntimeStatus == status)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{instanceId} did not become {status}");
    }
}
