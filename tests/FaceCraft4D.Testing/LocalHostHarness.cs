using System.Text.Json.Nodes;
using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost;
using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.LocalHost.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Testing;

/// <summary>
/// The product's local host in the test process: the durable engine sidecar on the test's Azurite, the HTTP API
/// on a free port, the DurableTask worker with the real orchestrations and activities, pointed at test workers.
/// </summary>
public sealed class LocalHostHarness : IAsyncDisposable
{
    private readonly LocalStack stack;
    private readonly WebApplication app;
    private readonly ILoggerFactory loggerFactory;

    private LocalHostHarness(LocalStack stack, WebApplication app, ILoggerFactory loggerFactory, string baseUrl)
    {
        this.stack = stack;
        this.app = app;
        this.loggerFactory = loggerFactory;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The API base URL.</summary>
    public string BaseUrl { get; }

    /// <summary>A client of the API.</summary>
    public HttpClient Http { get; }

    /// <summary>The run service (same as behind the API).</summary>
    public AvatarRunService Runs => app.Services.GetRequiredService<AvatarRunService>();

    /// <summary>Resolves a service of the host.</summary>
    public T Service<T>() where T : notnull => app.Services.GetRequiredService<T>();

    /// <summary>Starts the host on existing storage and workers.</summary>
    public static async Task<LocalHostHarness> StartAsync(
        string storageConnectionString, IEnumerable<Uri> workers, string taskHub, bool watchUploads = false,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var values = new Dictionary<string, string>(TestConfiguration.Fast(taskHub));
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            values[k] = v;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values!).Build();
        var durable = configuration.GetSection(DurableEngineOptions.SectionName).Get<DurableEngineOptions>()!;
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Error));
        var stack = await LocalStack.StartAsync(
            new LocalStackOptions { StorageConnectionString = storageConnectionString, WorkerUrls = string.Join(';', workers), WorkerSharedKey = TestGpuWorker.SharedKey },
            durable, RepositoryLayout.Locate(), loggerFactory, CancellationToken.None);
        var baseUrl = $"http://127.0.0.1:{FreeTcpPort.Find()}";
        var app = LocalHostApp.Build(stack, TestConfiguration.AsArguments(values), baseUrl, watchUploads);
        await app.StartAsync();
        return new LocalHostHarness(stack, app, loggerFactory, baseUrl);
    }

    /// <summary>Submits encoded image bytes with small-run settings; returns the submission.</summary>
    public Task<RunSubmission> SubmitAsync(byte[] image, string? settingsJson = TestConfiguration.SmallRunSettings, string? preset = null) =>
        Runs.SubmitAsync(new BinaryData(image), "test.jpg", preset,
            settingsJson is null ? null : JsonNode.Parse(settingsJson)!.AsObject(), RunSource.Http, CancellationToken.None);

    /// <summary>Polls until the run leaves Pending/Running or the timeout passes (then fails with the last status).</summary>
    public async Task<AvatarStatusView> WaitForEndAsync(string runId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        AvatarStatusView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await Runs.GetStatusAsync(runId, BaseUrl, CancellationToken.None);
            if (last is { RuntimeStatus: not ("Pending" or "Running") })
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Run {runId} did not finish in {timeout}; last status: {System.Text.Json.JsonSerializer.Serialize(last, ContractJson.Indented)}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        await stack.DisposeAsync();
        loggerFactory.Dispose();
    }
}
