using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Stages;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Testing;

/// <summary>
/// The real GPU worker service (HTTP, job queue, checkpoints) on a loopback port, with synthetic handlers
/// standing in for the GPU work and optional fault injection.
/// </summary>
public sealed class TestGpuWorker : IAsyncDisposable
{
    private readonly WebApplication app;

    private TestGpuWorker(WebApplication app, Uri url, ExecutionLedger ledger, FaultInjection faults)
    {
        this.app = app;
        Url = url;
        Ledger = ledger;
        Faults = faults;
    }

    /// <summary>
    /// The key every test worker of this test process admits (<c>Authorization: Bearer</c>); the test host harnesses send
    /// it (<see cref="TestConfiguration.Fast"/>, <see cref="LocalHostHarness"/>). Random per process, never a constant.
    /// </summary>
    public static string SharedKey { get; } = LocalHost.Infrastructure.WorkerKey.Generate();

    /// <summary>Worker arguments that switch on shared-key authentication with <see cref="SharedKey"/>.</summary>
    public static IReadOnlyList<string> AuthArguments { get; } =
        ["--Fc4d:Worker:Auth:Mode=SharedKey", $"--Fc4d:Worker:Auth:SharedKey={SharedKey}"];

    /// <summary>An HTTP client for a worker that sends <see cref="SharedKey"/>.</summary>
    public static HttpClient AuthenticatedClient(Uri baseAddress) => new()
    {
        BaseAddress = baseAddress,
        DefaultRequestHeaders = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", SharedKey) },
    };

    /// <summary>Base URL.</summary>
    public Uri Url { get; }

    /// <summary>Real executions per work item.</summary>
    public ExecutionLedger Ledger { get; }

    /// <summary>The fault injector (rate 0 unless set).</summary>
    public FaultInjection Faults { get; }

    /// <summary>Starts the worker.</summary>
    /// <param name="storageConnectionString">Azurite connection string.</param>
    /// <param name="stageDuration">Time each synthetic work item takes.</param>
    /// <param name="maxConcurrentJobs">Worker concurrency.</param>
    /// <param name="longStageDuration">Time of the long (training) stages; defaults to <paramref name="stageDuration"/>.</param>
    /// <param name="handlers">Replaces the synthetic handler of a stage (null removes it: the worker answers 501).</param>
    /// <param name="configureServices">Extra registrations (e.g. a portrait screener double).</param>
    public static async Task<TestGpuWorker> StartAsync(
        string storageConnectionString, TimeSpan stageDuration, int maxConcurrentJobs = 4, TimeSpan? longStageDuration = null,
        IReadOnlyDictionary<PipelineStage, Func<ExecutionLedger, IStageHandler?>>? handlers = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var ledger = new ExecutionLedger();
        var faults = new FaultInjection(0, TimeSpan.FromSeconds(30));
        var port = FreeTcpPort.Find();
        var url = new Uri($"http://127.0.0.1:{port}/");
        string[] args =
        [
            "--urls", url.ToString().TrimEnd('/'),
            $"--Fc4d:Storage:ConnectionString={storageConnectionString}",
            $"--Fc4d:Worker:MaxConcurrentJobs={maxConcurrentJobs}",
            "--Logging:LogLevel:Default=Warning",
            .. AuthArguments,
        ];
        var app = GpuWorkerApp.Build(
            args,
            services =>
            {
                services.RemoveAll<IStageHandler>(); // only the handlers given here (synthetic unless replaced)
                services.RemoveAll<IPortraitScreener>(); // synthetic test images have no faces; tests add a screener double when they need one
                services.AddSingleton(ledger);
                foreach (var stage in PipelineStages.All)
                {
                    var duration = stage.IsLongRunning() ? longStageDuration ?? stageDuration : stageDuration;
                    var handler = handlers is not null && handlers.TryGetValue(stage, out var make)
                        ? make(ledger)
                        : new SyntheticStageHandler(stage, ledger, duration);
                    if (handler is not null)
                    {
                        services.AddSingleton(handler);
                    }
                }

                services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
                configureServices?.Invoke(services);
            },
            faults.Apply);
        await app.StartAsync();
        return new TestGpuWorker(app, url, ledger, faults);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
