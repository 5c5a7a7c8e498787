using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.LocalHost;

/// <summary>Creates the containers of the storage layout when the host starts.</summary>
public sealed class StorageInitializer(IBlobStore blobs) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => blobs.EnsureContainersAsync(StorageLayout.AllContainers, cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
