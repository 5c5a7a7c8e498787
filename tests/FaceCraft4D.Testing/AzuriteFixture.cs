using FaceCraft4D.Contracts;
using FaceCraft4D.LocalHost.Infrastructure;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace FaceCraft4D.Testing;

/// <summary>
/// A real Azurite for a test class (or collection): started with the product's own <see cref="AzuriteServer"/>
/// on free loopback ports with a fresh data folder, stopped and deleted afterwards. Its log
/// (<see cref="LogPaths"/>) is kept by <see cref="FailedTestLogs"/> when a test that registered it fails.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime, IHasLogs
{
    private AzuriteServer? server;

    /// <summary>Data folder of this Azurite (deleted at the end).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "fc4d-tests", Guid.NewGuid().ToString("N"));

    /// <inheritdoc />
    public IEnumerable<string> LogPaths => [Path.Combine(DataDirectory, "logs")];

    /// <summary>Connection string of the running Azurite.</summary>
    public string ConnectionString => server?.ConnectionString ?? throw new InvalidOperationException("Azurite not started.");

    /// <summary>A blob store on this Azurite with the layout's containers created.</summary>
    public IBlobStore CreateBlobStore() => new AzureBlobStore(BlobServiceClientFactory.Create(new StorageOptions { ConnectionString = ConnectionString }));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        server = await AzuriteServer.StartAsync(RepositoryLayout.Locate(), DataDirectory, NullLogger.Instance, CancellationToken.None);
        await CreateBlobStore().EnsureContainersAsync(StorageLayout.AllContainers, CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
