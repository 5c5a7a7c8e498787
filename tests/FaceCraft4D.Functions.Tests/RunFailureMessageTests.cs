using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>A run that fails with an unexpected exception reports a stable error to clients, not the exception's text.</summary>
public sealed class RunFailureMessageTests : IAsyncLifetime
{
    private const string RawText = "NullReferenceException in /srv/fc4d/Worker.cs at http://10.0.0.7:8000/api/jobs";
    private ApiTestHost host = null!;

    public async Task InitializeAsync() =>
        host = await ApiTestHost.StartAsync((_, _) => Task.FromException<RunOutput>(new InvalidOperationException(RawText)));

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task An_unexpected_failure_reports_the_stable_internal_error_not_the_exception_text()
    {
        const string runId = "fc4d-dddddddddddddddd-00000001";
        await host.Durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator, new StartOrchestrationOptions(runId));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var done = await host.Durable.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);

        var view = await host.Services.GetRequiredService<ClientBoundApi>().Runs(host.Durable.Client).GetStatusAsync(runId, "https://fc4d.example", default);

        Assert.StartsWith("internal-error:", view!.Error);
        Assert.DoesNotContain("10.0.0.7", view.Error);
        Assert.DoesNotContain("NullReferenceException", view.Error);
    }
}
