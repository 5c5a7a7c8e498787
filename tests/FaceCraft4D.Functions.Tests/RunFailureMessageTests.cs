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
    private DurableTaskTestHost durable = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        durable = await DurableTaskTestHost.StartAsync(r => r.AddOrchestratorFunc<RunInput, RunOutput>(
            DurableNames.AvatarRunOrchestrator, (TaskOrchestrationContext _, RunInput _) => Task.FromException<RunOutput>(new InvalidOperationException(RawText))));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fc4d:GpuWorker:BaseUrl"] = "http://127.0.0.1:9",
            ["Fc4d:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Fc4d:Uploads:ScreenFaces"] = "false",
        }).Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddSingleton<IBlobStore>(new InMemoryBlobStore());
        collection.AddFc4dApi(configuration);
        services = collection.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await durable.DisposeAsync();
    }

    [Fact]
    public async Task An_unexpected_failure_reports_the_stable_internal_error_not_the_exception_text()
    {
        const string runId = "fc4d-dddddddddddddddd-00000001";
        await durable.Client.ScheduleNewOrchestrationInstanceAsync(DurableNames.AvatarRunOrchestrator, new StartOrchestrationOptions(runId));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var done = await durable.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, done.RuntimeStatus);

        var view = await services.GetRequiredService<ClientBoundApi>().Runs(durable.Client).GetStatusAsync(runId, "https://fc4d.example", default);

        Assert.StartsWith("internal-error:", view!.Error);
        Assert.DoesNotContain("10.0.0.7", view.Error);
        Assert.DoesNotContain("NullReferenceException", view.Error);
    }
}
