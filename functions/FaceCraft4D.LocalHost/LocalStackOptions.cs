namespace FaceCraft4D.LocalHost;

/// <summary>Configuration section <c>Fc4d:Local</c>: what the embedded local stack starts.</summary>
public sealed class LocalStackOptions
{
    public const string SectionName = "Fc4d:Local";

    /// <summary>Folder for Azurite's data and the logs (default: <c>.fc4d/</c> in the repository).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Use this storage instead of starting Azurite.</summary>
    public string? StorageConnectionString { get; set; }

    /// <summary>Use these workers (separated by <c>;</c>) instead of starting local CPU workers.</summary>
    public string? WorkerUrls { get; set; }

    /// <summary>The key of the workers named in <see cref="WorkerUrls"/> (their <c>Fc4d:Worker:Auth:SharedKey</c>).</summary>
    public string? WorkerSharedKey { get; set; }

    /// <summary>Local CPU workers to start.</summary>
    public int WorkerCount { get; set; } = 1;

    /// <summary>Jobs each local worker runs at once.</summary>
    public int WorkerMaxConcurrentJobs { get; set; } = 2;

    /// <summary>
    /// glibc's <c>MALLOC_ARENA_MAX</c> for the started workers (0: not set, glibc's default of 8 arenas per core). Fewer
    /// arenas reuse freed native memory sooner: the preview sample's worker peak RSS fell from 1545-1980 MiB to
    /// 1376-1560 MiB at the same run time (s24; s26 figures in docs/architecture.md). The GPU image sets the same.
    /// </summary>
    public int WorkerMallocArenaMax { get; set; } = 2;

    /// <summary>
    /// How long the host drains (HTTP requests, running orchestration and activity work items) when it stops, before
    /// the workers, the engine and Azurite are stopped; with them it fits the 15 s a Ctrl+C may take.
    /// </summary>
    public TimeSpan HostShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Run the host's first-use paths once at start, in the background (<see cref="Warmup.FirstUseWarmup"/>: the
    /// orchestrations replayed in memory, the worker connection, an activity's reads), so the first run pays no JIT or
    /// connection set-up. Reads only. The workers have their own switch, <c>Fc4d:Worker:WarmUp</c>.
    /// </summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>Longest the CLI waits for the warm-up (and the workers') before it submits a run; the host's readiness never waits.</summary>
    public TimeSpan WarmUpWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the uploads watcher looks for new blobs (zero disables it).</summary>
    public TimeSpan UploadPollInterval { get; set; } = TimeSpan.FromSeconds(3);
}
