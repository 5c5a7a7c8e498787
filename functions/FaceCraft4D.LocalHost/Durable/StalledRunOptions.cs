namespace FaceCraft4D.LocalHost.Durable;

/// <summary>
/// Configuration section <c>Fc4d:StalledRuns</c>: the local host's watch for runs that wait for work that no longer
/// exists (see <see cref="StalledRunMonitor"/>).
/// </summary>
public sealed class StalledRunOptions
{
    public const string SectionName = "Fc4d:StalledRuns";

    /// <summary>How often runs are checked (zero disables the monitor).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A run (and its stage-job sub-orchestrations) unchanged for this long, with no message pending in the task hub and
    /// no live worker job, is stalled. Well above the queues' visibility timeouts and the partition lease, so a
    /// restarting host's in-flight work has come back before.
    /// </summary>
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a stalled run is restarted from its checkpoints before it is ended with the reason instead.</summary>
    public int MaxRestarts { get; set; } = 1;
}
