namespace FaceCraft4D.GpuWorker.Scaling;

/// <summary>The signal where no queue is configured (local stack, tests): nothing scales on it, so nothing is sent.</summary>
public sealed class UnsignalledJobDemand : IJobDemandSignal
{
    /// <inheritdoc />
    public Task AcceptedAsync(string jobId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task EndedAsync(string jobId, CancellationToken cancellationToken) => Task.CompletedTask;
}
