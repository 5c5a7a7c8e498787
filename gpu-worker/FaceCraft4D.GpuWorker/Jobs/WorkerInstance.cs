namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>This worker process's identity in job records (the Container Apps replica name when there is one).</summary>
public sealed class WorkerInstance
{
    /// <summary>Replica name, or machine name + process id + a random suffix.</summary>
    public string Id { get; } =
        Environment.GetEnvironmentVariable("CONTAINER_APP_REPLICA_NAME")
        ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
}
