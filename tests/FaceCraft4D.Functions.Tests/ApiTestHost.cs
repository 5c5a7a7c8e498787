using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// The shared HTTP handlers' services (<c>AddFc4dApi</c>) over an in-memory blob store, with a real DurableTaskClient of
/// the Durable Task in-memory engine. The run orchestrator is registered without its activities, so started runs fail
/// fast: the tests using this are about the entry points.
/// </summary>
public sealed class ApiTestHost : IAsyncDisposable
{
    private ApiTestHost(InMemoryBlobStore blobs, DurableTaskTestHost durable, ServiceProvider services)
    {
        Blobs = blobs;
        Durable = durable;
        Services = services;
    }

    public InMemoryBlobStore Blobs { get; }

    public DurableTaskTestHost Durable { get; }

    public ServiceProvider Services { get; }

    /// <param name="orchestrator">The run orchestrator's body (default: the real one).</param>
    /// <param name="settings">Configuration added to the defaults (an unreachable worker, face screening off).</param>
    public static async Task<ApiTestHost> StartAsync(
        Func<TaskOrchestrationContext, RunInput, Task<RunOutput>>? orchestrator = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var durable = await InProcessDurableHost.StartAsync(
            r => r.AddOrchestratorFunc(DurableNames.AvatarRunOrchestrator, orchestrator ?? AvatarRunOrchestrator.RunAsync));
        var blobs = new InMemoryBlobStore();
        return new ApiTestHost(blobs, durable, BuildServices(blobs, settings));
    }

    /// <summary>The API's services over <paramref name="blobs"/>, without a durable engine.</summary>
    /// <param name="settings">Configuration added to the defaults (an unreachable worker, face screening off, limits high).</param>
    public static ServiceProvider BuildServices(InMemoryBlobStore blobs, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Fc4d:GpuWorker:BaseUrl"] = "http://127.0.0.1:9",
            ["Fc4d:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Fc4d:Uploads:ScreenFaces"] = "false",
            ["Fc4d:Limits:SubmissionBurst"] = "1000",
            ["Fc4d:Limits:MaxActiveRunsPerOwner"] = "1000",
            ["Fc4d:Limits:MaxActiveRuns"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var collection = new ServiceCollection().AddLogging();
        collection.AddSingleton<IBlobStore>(blobs);
        collection.AddFc4dApi(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return collection.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Durable.DisposeAsync();
    }
}
