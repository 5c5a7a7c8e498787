namespace FaceCraft4D.LocalHost.Durable;

/// <summary>Configuration section <c>Fc4d:Durable</c>: the embedded durable engine (Azure Storage provider).</summary>
public sealed class DurableEngineOptions
{
    public const string SectionName = "Fc4d:Durable";

    /// <summary>Task hub name (queues, tables and blob containers carry it as a prefix).</summary>
    public string TaskHubName { get; set; } = "fc4d";

    /// <summary>Control-queue partitions.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>
    /// How long a dequeued activity message stays invisible; after a crash it reappears after this. Running activities
    /// renew it every <see cref="ActivityLockRenewInterval"/>, so it bounds the resume delay, not the activity length.
    /// </summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running activity's message lock is renewed (well under the visibility timeout; zero: never).</summary>
    public TimeSpan ActivityLockRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a dequeued orchestration message stays invisible; after a crash it reappears after this.</summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest back-off of idle queue polling (the provider's default of 30 s is slow for interactive use). Every durable
    /// step waits about one back-off: <c>./fc4d bench orchestration</c> on the 2-core machine measured a chain of activities
    /// at 322 ms per step with 1 s, 307 ms with 250 ms and 102 ms with 100 ms (fan-out of 100: 180 / 128 / 42-84 ms per
    /// activity). The price is idle polling: 100 ms means about ten requests a second per queue to Azurite when nothing runs.
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Partition lease length; a crashed host's partitions are taken over after it expires.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Activities the worker runs at once.</summary>
    public int MaxConcurrentActivities { get; set; } = 32;

    /// <summary>Orchestration work items the worker runs at once.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 16;
}
