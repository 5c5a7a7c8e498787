using System.Net;
using FaceCraft4D.LocalHost.Durable;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Testing;

/// <summary>
/// The Durable Task in-memory engine served over gRPC on loopback (the sidecar the local host runs over Azure Storage),
/// with a worker host that can be stopped and started again while the engine keeps every orchestration's history: a
/// host restart, after which the new worker rebuilds each orchestration's state by replaying that history. The engine
/// hands a work item to the connected worker and waits for its answer without a timeout, so stop the worker only while
/// nothing is in flight (e.g. while orchestrations wait on durable timers).
/// </summary>
public sealed class RestartableDurableEngine : IAsyncDisposable
{
    private readonly WebApplication sidecar;
    private readonly GrpcChannel clientChannel;
    private readonly ServiceProvider clientServices;
    private (IHost Host, GrpcChannel Channel)? worker;

    private RestartableDurableEngine(WebApplication sidecar, string address)
    {
        this.sidecar = sidecar;
        Address = address;
        clientChannel = GrpcChannel.ForAddress(address);
        var services = new ServiceCollection().AddLogging();
        services.AddDurableTaskClient(b =>
        {
            b.UseGrpc(clientChannel);
            b.RegisterDirectly();
        });
        clientServices = services.BuildServiceProvider();
        Client = clientServices.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>The engine's gRPC address.</summary>
    public string Address { get; }

    /// <summary>A client of the engine (it outlives worker restarts).</summary>
    public DurableTaskClient Client { get; }

    /// <summary>Starts the engine on a port the system picks (no other host can take it between pick and bind).</summary>
    public static async Task<RestartableDurableEngine> StartAsync(CancellationToken cancellationToken = default)
    {
        var service = new InMemoryOrchestrationService(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = DurableSidecar.BuildServer(builder, service, service);
        await app.StartAsync(cancellationToken);
        return new RestartableDurableEngine(app, app.Urls.Single());
    }

    /// <summary>Starts a worker host (as a fresh process would) with <paramref name="registry"/>'s orchestrators and activities.</summary>
    public async Task StartWorkerAsync(Action<DurableTaskRegistry> registry, CancellationToken cancellationToken = default)
    {
        if (worker is not null)
        {
            throw new InvalidOperationException("A worker is running; stop it first.");
        }

        var channel = GrpcChannel.ForAddress(Address);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddDurableTaskWorker(b =>
        {
            b.UseGrpc(channel);
            b.AddTasks(registry);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        worker = (host, channel);
    }

    /// <summary>Stops the worker host; the engine keeps the orchestrations and their pending messages.</summary>
    public async Task StopWorkerAsync()
    {
        if (worker is not { } running)
        {
            return;
        }

        worker = null;
        await running.Host.StopAsync();
        running.Host.Dispose();
        await running.Channel.ShutdownAsync();
        running.Channel.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
        await clientServices.DisposeAsync();
        clientChannel.Dispose();
        await sidecar.StopAsync();
        await sidecar.DisposeAsync();
    }
}
