using FaceCraft4D.Api;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;

namespace FaceCraft4D.LocalHost;

/// <summary>
/// The embedded local host: the same HTTP API as the Functions app on Kestrel, the same orchestrations and
/// activities on a DurableTask worker connected to the <see cref="DurableSidecar"/>, the uploads watcher, and
/// the storage initialiser.
/// </summary>
public static class LocalHostApp
{
    /// <summary>Builds the web application on a started <see cref="LocalStack"/>.</summary>
    /// <param name="stack">The running stack.</param>
    /// <param name="args">Configuration arguments.</param>
    /// <param name="urls">Listen URLs, e.g. <c>http://127.0.0.1:7071</c>.</param>
    /// <param name="watchUploads">Start the uploads watcher.</param>
    public static WebApplication Build(LocalStack stack, string[] args, string urls, bool watchUploads)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(urls);
        // Local defaults (lowest priority: any configuration overrides them): each poll of a long job waits at the worker
        // until the job ends or Fc4d:GpuWorker:JobWait (10 s) passes (long poll), so the durable timer between polls only
        // spaces them out: 250 ms, growing to 500 ms. A job that ends during a timer is noticed at most that late (it was up
        // to the 5 s cap before long polls: the run's time outside stage work, ./fc4d bench plan). The shared 2-30 s suit
        // hours-long GPU jobs in Azure, where every poll is an activity execution.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                [$"{FaceCraft4D.Contracts.PipelineOptions.SectionName}:JobPollInterval"] = "00:00:00.250",
                [$"{FaceCraft4D.Contracts.PipelineOptions.SectionName}:MaxJobPollInterval"] = "00:00:00.500",
            },
        });
        ConfigureIdentity(builder.Configuration, stack.DataDirectory);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{StorageOptions.SectionName}:ConnectionString"] = stack.StorageConnectionString,
            [$"{GpuWorkerOptions.SectionName}:BaseUrl"] = string.Join(';', stack.WorkerUrls),
        });
        if (stack.WorkerSharedKey is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"{GpuWorkerOptions.SectionName}:SharedKey"] = stack.WorkerSharedKey });
        }
        var services = builder.Services;
        var shutdown = builder.Configuration.GetSection(LocalStackOptions.SectionName).Get<LocalStackOptions>()?.HostShutdownTimeout
            ?? new LocalStackOptions().HostShutdownTimeout;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
        var durable = builder.Configuration.GetSection(DurableEngineOptions.SectionName).Get<DurableEngineOptions>() ?? new DurableEngineOptions();
        services.AddOptions<LocalStackOptions>().Bind(builder.Configuration.GetSection(LocalStackOptions.SectionName));
        services.AddProblemDetails();
        services.AddFc4dApi(builder.Configuration);
        services.AddHostedService<StorageInitializer>();
        services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(stack.Durable.Channel);
            worker.AddTasks(registry => registry.AddFc4dTasks());
            worker.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentActivityWorkItems = durable.MaxConcurrentActivities;
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = durable.MaxConcurrentOrchestrations;
            });
        });
        services.AddDurableTaskClient(client => client.UseGrpc(stack.Durable.Channel));
        services.AddOptions<StalledRunOptions>().Bind(builder.Configuration.GetSection(StalledRunOptions.SectionName));
        services.AddSingleton(new TaskHubQueueProbe(stack.StorageConnectionString, durable.TaskHubName));
        services.AddSingleton<Warmup.FirstUseWarmup>(); // first-use costs paid at start, in the background (reads only)
        services.AddHostedService(sp => sp.GetRequiredService<Warmup.FirstUseWarmup>());
        services.AddSingleton<StalledRunMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<StalledRunMonitor>());
        if (watchUploads)
        {
            services.AddHostedService<UploadWatcher>();
            services.AddHostedService<EvaluationScheduler>();
        }

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Cross-site and DNS-rebinding requests are refused before anything else; then the caller (loopback or token).
        app.UseMiddleware<CrossSiteRequestGuard>();
        app.UseMiddleware<LocalCallerMiddleware>();
        app.MapGet("/", () => Results.Json(new
        {
            service = "FaceCraft4D.Cloud local host",
            api = "/api/avatars",
            storage = "Azurite (embedded)",
            workers = stack.WorkerUrls.Select(u => u.ToString()),
            data = stack.DataDirectory,
        }));
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapAvatarApi();
        FaceCraft4D.Viewer.AvatarViewerEndpoints.MapAvatarViewer(app);
        return app;
    }

    /// <summary>
    /// Identity defaults of the local host (any configuration overrides them): <c>AllowedHosts</c> is the loopback names
    /// plus <c>Fc4d:Local:Auth:AllowedHosts</c> (host filtering answers 400 to any other <c>Host</c>), and the share-link
    /// key is the one kept under the data directory (<see cref="LocalShareKey"/>).
    /// </summary>
    private static void ConfigureIdentity(ConfigurationManager configuration, string dataDirectory)
    {
        var extraHosts = configuration.GetSection($"{LocalAuthOptions.SectionName}:AllowedHosts").Get<string[]>() ?? [];
        var defaults = new Dictionary<string, string?>
        {
            ["AllowedHosts"] = string.Join(';', new[] { "localhost", "127.0.0.1", "[::1]" }.Concat(extraHosts)),
        };
        if (string.IsNullOrWhiteSpace(configuration[$"{ShareLinkOptions.SectionName}:Key"]))
        {
            defaults[$"{ShareLinkOptions.SectionName}:Key"] = LocalShareKey.LoadOrCreate(dataDirectory);
        }

        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = defaults });
    }
}
