using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.LocalHost.Durable;

/// <summary>
/// The real durable engine of the local host: the Durable Task Framework's Azure Storage provider (the backend
/// Azure Functions uses) with its state in Azurite, served over gRPC by the Durable Task sidecar server
/// (<see cref="TaskHubGrpcServer"/>) so the same DurableTask worker and client as in Azure talk to it.
/// </summary>
public sealed class DurableSidecar : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly SidecarSafeOrchestrationService<AzureStorageOrchestrationService> service;
    private readonly ILogger logger;

    private DurableSidecar(WebApplication app, SidecarSafeOrchestrationService<AzureStorageOrchestrationService> service, string address, ILogger logger)
    {
        this.app = app;
        this.service = service;
        this.logger = logger;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    /// <summary>The sidecar's gRPC address on loopback.</summary>
    public string Address { get; }

    /// <summary>The engine under the sidecar (raw task messages and instance state, e.g. for fault tests).</summary>
    public IOrchestrationServiceClient Engine => service;

    /// <summary>A channel to the sidecar for the worker and the client.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>Creates the task hub (if needed) and starts the gRPC server on a free loopback port.</summary>
    public static async Task<DurableSidecar> StartAsync(
        DurableEngineOptions options, string connectionString, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            PartitionCount = options.PartitionCount,
            WorkItemQueueVisibilityTimeout = options.WorkItemQueueVisibilityTimeout,
            ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            LeaseInterval = options.LeaseInterval,
            LeaseRenewInterval = TimeSpan.FromTicks(options.LeaseInterval.Ticks / 3),
            LeaseAcquireInterval = TimeSpan.FromTicks(options.LeaseInterval.Ticks / 3),
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}",
            PartitionTableOperationTimeout = TimeSpan.FromSeconds(15),
            LoggerFactory = loggerFactory,
        };
        var storage = new AzureStorageOrchestrationService(settings);
        await storage.CreateIfNotExistsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var service = new SidecarSafeOrchestrationService<AzureStorageOrchestrationService>(
            storage, options.ActivityLockRenewInterval, loggerFactory.CreateLogger<DurableSidecar>());

        var port = Infrastructure.FreeTcpPort.Find();
        var address = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http2));
        var app = BuildServer(builder, service, service);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new DurableSidecar(app, service, address, loggerFactory.CreateLogger<DurableSidecar>());
    }

    /// <summary>
    /// Builds the app that serves <paramref name="service"/> over the Durable Task sidecar's gRPC API
    /// (<see cref="TaskHubGrpcServer"/>: the client's calls and the work-item stream the worker reads).
    /// </summary>
    public static WebApplication BuildServer(WebApplicationBuilder builder, IOrchestrationService service, IOrchestrationServiceClient client)
    {
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        return app;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping took too long; the process is about to exit anyway
        }

        await app.DisposeAsync().ConfigureAwait(false);

        // The sidecar stops its dispatchers from an async-void callback; stop the provider's background work
        // (partition leases, queue polling) explicitly so nothing keeps talking to a storage that goes away.
        await service.StopAsync(isForced: true).ConfigureAwait(false);
        if (service.StopFailure is { } failure)
        {
            logger.LogWarning(failure, "The durable storage provider failed while stopping; its state in storage is unaffected.");
        }
    }
}
