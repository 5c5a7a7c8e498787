using FaceCraft4D.LocalHost.Durable;
using FaceCraft4D.LocalHost.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.LocalHost;

/// <summary>
/// The real pieces the local host runs on: Azurite (storage), the durable engine sidecar on it, and the GPU
/// worker process(es). Started storage first; stopped in the order that loses nothing: the workers (in parallel,
/// each saving its running jobs), then the durable engine, then Azurite last (so everything before it can still
/// write its state).
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> workers = [];
    private IAsyncDisposable? storage;
    private IAsyncDisposable? engine;

    private LocalStack(string dataDirectory) => DataDirectory = dataDirectory;

    /// <summary>Where data and logs live.</summary>
    public string DataDirectory { get; }

    /// <summary>Storage connection string (Azurite's unless configured).</summary>
    public string StorageConnectionString { get; private set; } = string.Empty;

    /// <summary>Worker base URLs.</summary>
    public IReadOnlyList<Uri> WorkerUrls { get; private set; } = [];

    /// <summary>
    /// The key the host sends to the workers (<c>Authorization: Bearer</c>): generated per stack for the workers it starts,
    /// or <see cref="LocalStackOptions.WorkerSharedKey"/> for workers started elsewhere.
    /// </summary>
    public string? WorkerSharedKey { get; private set; }

    /// <summary>The durable engine.</summary>
    public DurableSidecar Durable { get; private set; } = null!;

    /// <summary>
    /// Starts what the options ask for. <paramref name="workerConfiguration"/>: settings the started GPU workers get on top
    /// of their defaults (<see cref="WorkerConfigurationOverrides"/>).
    /// </summary>
    public static async Task<LocalStack> StartAsync(
        LocalStackOptions options, DurableEngineOptions durable, RepositoryLayout repo, ILoggerFactory loggerFactory, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? workerConfiguration = null)
    {
        var logger = loggerFactory.CreateLogger<LocalStack>();
        var data = Path.GetFullPath(options.DataDirectory ?? Path.Combine(repo.Root, ".fc4d"));
        Directory.CreateDirectory(data);
        var stack = new LocalStack(data);
        try
        {
            if (string.IsNullOrWhiteSpace(options.StorageConnectionString))
            {
                var azurite = await AzuriteServer.StartAsync(repo, data, logger, cancellationToken).ConfigureAwait(false);
                stack.storage = azurite;
                stack.StorageConnectionString = azurite.ConnectionString;
            }
            else
            {
                stack.StorageConnectionString = options.StorageConnectionString;
            }

            if (string.IsNullOrWhiteSpace(options.WorkerUrls))
            {
                stack.WorkerSharedKey = WorkerKey.Generate();
                var starts = Enumerable.Range(0, Math.Max(1, options.WorkerCount))
                    .Select(i => GpuWorkerServer.StartAsync(repo, i, stack.StorageConnectionString, options.WorkerMaxConcurrentJobs, data, logger, cancellationToken,
                        workerConfiguration, stack.WorkerSharedKey, options.WorkerMallocArenaMax))
                    .ToArray();
                var workers = await Task.WhenAll(starts).ConfigureAwait(false);
                stack.workers.AddRange(workers);
                stack.WorkerUrls = workers.Select(w => w.BaseUrl).ToArray();
            }
            else
            {
                stack.WorkerSharedKey = options.WorkerSharedKey;
                stack.WorkerUrls = options.WorkerUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(u => new Uri(u)).ToArray();
            }

            stack.Durable = await DurableSidecar.StartAsync(durable, stack.StorageConnectionString, loggerFactory, cancellationToken).ConfigureAwait(false);
            stack.engine = stack.Durable;
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(workers.Select(w => w.DisposeAsync().AsTask())).ConfigureAwait(false);
        workers.Clear();
        if (engine is not null)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            engine = null;
        }

        if (storage is not null)
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            storage = null;
        }
    }
}
