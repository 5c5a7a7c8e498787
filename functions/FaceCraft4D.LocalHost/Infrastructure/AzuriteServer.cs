using Microsoft.Extensions.Logging;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>
/// Azurite (the real Azure Storage emulator, pinned in <c>infra/node</c>) started on free loopback ports with its
/// data in the stack's data folder, under a supervisor (<c>infra/node/azurite-supervisor.mjs</c>) in its own session
/// that logs to <c>logs/azurite.log</c>, ignores the terminal's Ctrl+C and, when this process dies (even by SIGKILL),
/// stops Azurite with SIGTERM and waits for it to persist. A previous host's Azurite that is still stopping on the
/// same data folder is waited for first (<see cref="AzuriteSupervisorState"/>), so two never share the data.
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

    /// <summary>Attempts at starting Azurite on fresh ports when it exits while starting.</summary>
    private const int StartAttempts = 3;

    /// <summary>
    /// Starts Azurite and waits until its three services listen. The free ports are found a moment before Azurite binds
    /// them, so another process (a test host, a worker) can take one first; Azurite then exits while starting, and it is
    /// started again on fresh ports (at most <see cref="StartAttempts"/> times, each logged with its log's tail).
    /// </summary>
    public static async Task<AzuriteServer> StartAsync(RepositoryLayout repo, string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(repo.AzuriteEntryPoint))
        {
            throw new InvalidOperationException($"Azurite is not installed ({repo.AzuriteEntryPoint}). Run ./fc4d setup (npm ci --prefix infra/node).");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortsAsync(repo, dataDirectory, logger, cancellationToken).ConfigureAwait(false);
            }
            catch (AzuriteExitedException e) when (attempt < StartAttempts)
            {
                logger.LogWarning("Azurite exited while starting (attempt {Attempt} of {Attempts}); starting it again on other ports. Its log ends: {Tail}",
                    attempt, StartAttempts, e.LogTail);
            }
        }
    }

    private static async Task<AzuriteServer> StartOnFreePortsAsync(RepositoryLayout repo, string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        var location = Path.Combine(dataDirectory, "azurite");
        Directory.CreateDirectory(location);
        var state = new AzuriteSupervisorState(Path.Combine(location, "supervisor.json"));
        await state.WaitForPreviousToExitAsync(TimeSpan.FromSeconds(45), logger, cancellationToken).ConfigureAwait(false);
        var logFile = Path.Combine(dataDirectory, "logs", "azurite.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var (blob, queue, table) = (FreeTcpPort.Find(), FreeTcpPort.Find(), FreeTcpPort.Find());
        string[] args =
        [
            repo.AzuriteSupervisor, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), logFile, state.Path,
            "--location", location, "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            // Telemetry keeps connections to the cloud metadata endpoint open, and with them the process: Azurite then
            // never exits after SIGTERM (it closes its services and hangs), so every stop ended in a kill.
            "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", $"{blob}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
        ];
        // The supervisor waits up to 30 s for Azurite to save; this process waits a little longer for the supervisor.
        var process = ChildProcess.Start("azurite", "node", args, new Dictionary<string, string>(), logFile, stopGrace: TimeSpan.FromSeconds(35));
        try
        {
            foreach (var port in new[] { blob, queue, table })
            {
                await FreeTcpPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => process.IsRunning, "Azurite", cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException) when (!process.IsRunning)
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw new AzuriteExitedException(await TailAsync(logFile, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        logger.LogInformation("Azurite listening on 127.0.0.1:{Blob}/{Queue}/{Table}, data in {Location}", blob, queue, table, location);
        return new AzuriteServer(process, blob, queue, table);
    }

    private static async Task<string> TailAsync(string logFile, CancellationToken cancellationToken)
    {
        try
        {
            var lines = await File.ReadAllLinesAsync(logFile, cancellationToken).ConfigureAwait(false);
            return string.Join(" | ", lines.TakeLast(5));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    /// <summary>Azurite's process ended before its services listened.</summary>
    private sealed class AzuriteExitedException(string logTail) : InvalidOperationException($"Azurite exited while starting. Its log ends: {logTail}")
    {
        public string LogTail { get; } = logTail;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => process.DisposeAsync();
}
