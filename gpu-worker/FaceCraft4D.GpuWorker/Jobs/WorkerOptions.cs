using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>Configuration section <c>Fc4d:Worker</c>.</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Fc4d:Worker";

    /// <summary>Jobs that run at the same time (one GPU: 1-2; CPU: up to the core count).</summary>
    [Range(1, 256)] public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>How long finished jobs stay answerable in memory (their outputs and checkpoints stay in blobs).</summary>
    public TimeSpan FinishedJobRetention { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Jobs accepted but not yet started, at most; more answer 429 with Retry-After.</summary>
    [Range(1, 100_000)] public int MaxQueuedJobs { get; set; } = 1000;

    /// <summary>Process id of the local host that started this worker; the worker stops when it is gone.</summary>
    public int? ParentProcessId { get; set; }
}
