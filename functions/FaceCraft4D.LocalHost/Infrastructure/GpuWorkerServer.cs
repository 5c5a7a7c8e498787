using Microsoft.Extensions.Logging;

namespace FaceCraft4D.LocalHost.Infrastructure;

/// <summary>The GPU worker service (CPU build here) started as its own process on a free loopback port.</summary>
public sealed class GpuWorkerServer : IAsyncDisposable
{
    private readonly ChildProcess process;

    private GpuWorkerServer(ChildProcess process, Uri baseUrl, string sharedKey)
    {
        this.process = process;
        BaseUrl = baseUrl;
        SharedKey = sharedKey;
    }

    /// <summary>The worker's base URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The key callers send as <c>Authorization: Bearer</c> (given to the worker through its environment).</summary>
    public string SharedKey { get; }

    /// <summary>
    /// Starts one worker and waits for its health endpoint. <paramref name="configuration"/>: extra worker settings
    /// (flat keys such as <c>Fc4d:Models:LocalPath</c>), passed as environment variables; they win over the defaults here.
    /// <paramref name="sharedKey"/>: the key its callers must send (the stack's; a new random one when null).
    /// <paramref name="mallocArenaMax"/>: glibc's <c>MALLOC_ARENA_MAX</c> for the process (0: not set).
    /// </summary>
    public static async Task<GpuWorkerServer> StartAsync(
        RepositoryLayout repo, int index, string storageConnectionString, int maxConcurrentJobs, string dataDirectory,
        ILogger logger, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? configuration = null, string? sharedKey = null,
        int mallocArenaMax = 2)
    {
        sharedKey ??= WorkerKey.Generate();
        var port = FreeTcpPort.Find();
        var url = new Uri($"http://127.0.0.1:{port}/");
        var environment = new Dictionary<string, string>
        {
            ["Fc4d__Storage__ConnectionString"] = storageConnectionString,
            ["Fc4d__Worker__ParentProcessId"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fc4d__Worker__MaxConcurrentJobs"] = maxConcurrentJobs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fc4d__Worker__Auth__Mode"] = "SharedKey",
            ["Fc4d__Worker__Auth__SharedKey"] = sharedKey,
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Information",
        };
        if (mallocArenaMax > 0)
        {
            environment["MALLOC_ARENA_MAX"] = mallocArenaMax.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        // Weights dropped into the repository's models/ folder switch the stages to their real-network backends.
        if (Environment.GetEnvironmentVariable("Fc4d__Models__LocalPath") is null && Directory.Exists(repo.ModelsFolder))
        {
            environment["Fc4d__Models__LocalPath"] = repo.ModelsFolder;
        }

        foreach (var (key, value) in configuration ?? new Dictionary<string, string>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = ChildProcess.Start(
            $"gpu-worker-{index}", "dotnet", [repo.GpuWorkerAssembly(), "--urls", url.ToString().TrimEnd('/')], environment,
            Path.Combine(dataDirectory, "logs", $"gpu-worker-{index}.log"));
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!process.IsRunning)
                {
                    throw new InvalidOperationException($"The GPU worker exited while starting; see {Path.Combine(dataDirectory, "logs")}.");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(url, "healthz"), cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("The GPU worker did not become healthy within 90 s.");
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        logger.LogInformation("GPU worker {Index} (CPU) at {Url}", index, url);
        return new GpuWorkerServer(process, url, sharedKey);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => process.DisposeAsync();
}
