using Microsoft.Extensions.Logging;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>
/// Azurite (the real Azure Storage emulator, pinned in <c>infra/node</c>) started on free loopback ports with its
/// data in the stack's data folder, under a supervisor that stops it when this process dies.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key (public, not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ChildProcess process;

    private AzuriteServer(ChildProcess process, int blobPort, int queuePort, int tablePort)
    {
        this.process = process;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            $"AccountKey={DevelopmentAccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    /// <summary>Connection string of this Azurite.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts Azurite and waits until its three services listen.</summary>
    public static async Task<AzuriteServer> StartAsync(RepositoryLayout repo, string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(repo.AzuriteEntryPoint))
        {
            throw new InvalidOperationException($"Azurite is not installed ({repo.AzuriteEntryPoint}). Run ./fc4d setup (npm ci --prefix infra/node).");
        }

        var location = Path.Combine(dataDirectory, "azurite");
        Directory.CreateDirectory(location);
        var (blob, queue, table) = (FreeTcpPort.Find(), FreeTcpPort.Find(), FreeTcpPort.Find());
        string[] args =
        [
            repo.AzuriteSupervisor, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--location", location, "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
        ];
        var process = ChildProcess.Start("azurite", "node", args, new Dictionary<string, string>(), Path.Combine(dataDirectory, "logs", "azurite.log"));
        try
        {
            foreach (var port in new[] { blob, queue, table })
            {
                await FreeTcpPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => process.IsRunning, "Azurite", cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        logger.LogInformation("Azurite listening on 127.0.0.1:{Blob}/{Queue}/{Table}, data in {Location}", blob, queue, table, location);
        return new AzuriteServer(process, blob, queue, table);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => process.DisposeAsync();
}
