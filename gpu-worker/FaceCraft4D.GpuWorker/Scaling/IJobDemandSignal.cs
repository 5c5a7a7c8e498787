namespace FaceCraft4D.GpuWorker.Scaling;

/// <summary>
/// Tells the platform's autoscaler how many jobs this replica holds (accepted and not yet ended), so replicas are
/// added for waiting work and not removed under running work.
/// </summary>
public interface IJobDemandSignal
{
    /// <summary>A job was accepted here (queued to run on this replica).</summary>
    Task AcceptedAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>A job accepted here ended (succeeded, failed, cancelled or stopped).</summary>
    Task EndedAsync(string jobId, CancellationToken cancellationToken);
}
