using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>Configuration section <c>Fc4d:Worker</c>.</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Fc4d:Worker";

    /// <summary>Jobs that run at the same time (one GPU: 1-2; CPU: up to the core count).</summary>
    [Range(1, 256)] public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>
    /// libtorch intra-op (OpenMP) threads of this process, set when the runner starts; 0 = libtorch's default (one per core).
    /// Default 1: jobs run side by side (<see cref="MaxConcurrentJobs"/>) and the rasterizer's managed kernel has its own
    /// threads, so more OpenMP threads oversubscribe the cores and stall on the many small tensor ops of training
    /// (<c>./fc4d bench train</c> on the shared 2-core machine: 854 ms a preview iteration with 1 thread, several seconds with 2).
    /// </summary>
    [Range(0, 1024)] public int TorchThreads { get; set; } = 1;

    /// <summary>
    /// libtorch intra-op threads of a job while it is the only one running in this worker (train-coin, and evaluate while
    /// export is done); 0 = <see cref="TorchThreads"/>. Training and evaluation set it between steps on their own thread
    /// (<see cref="FaceCraft4D.Stages.TorchThreadBudget"/>); a job falls back to <see cref="TorchThreads"/> when a second one starts.
    /// </summary>
    [Range(0, 1024)] public int TorchThreadsAlone { get; set; }

    /// <summary>How long finished jobs stay answerable in memory (their outputs and checkpoints stay in blobs).</summary>
    public TimeSpan FinishedJobRetention { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Jobs accepted but not yet started, at most; more answer 429 with Retry-After.</summary>
    [Range(1, 100_000)] public int MaxQueuedJobs { get; set; } = 1000;

    /// <summary>Longest a status request with <c>?wait=</c> is held open while its job runs (long poll; the caller sees the end at once).</summary>
    public TimeSpan MaxPollWait { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How often a running job's record is rewritten (progress and heartbeat).</summary>
    public TimeSpan JobHeartbeat { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A queued or running job whose owner has not written its record for this long is taken over.</summary>
    public TimeSpan JobLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest a job may run (one run of it, resumed runs start again); a job past it stops and fails as too much work
    /// for this worker (not retried: the settings ask for more than a job may take).
    /// </summary>
    public TimeSpan MaxJobDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long the worker waits for running jobs when it stops (SIGTERM, scale-in): covers a training job's
    /// cancel-save (up to 60 s) and the final job record, within Container Apps' 240 s termination grace period.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Run the job path once at start, in the background (<see cref="JobPathWarmup"/>): JSON contract types, handler
    /// look-up, the implementation description and the storage reads a job makes, so the first real job pays no
    /// first-use (JIT, connection) cost. Reads only; the health endpoint answers meanwhile.
    /// </summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>
    /// Diagnostics (default off): count the TorchSharp Tensors each job left to the finalizer
    /// (<see cref="FaceCraft4D.Weights.Lifetimes.FinalizedTensors"/>, two full collections before and after the job), logged
    /// and recorded as the job's <c>worker_finalized_tensors</c> metric. Run with <see cref="MaxConcurrentJobs"/> = 1 for
    /// per-stage figures (concurrent jobs share the finalizer). docs/torchsharp-lifetimes.md.
    /// </summary>
    public bool CountFinalizedTensors { get; set; }

    /// <summary>Process id of the local host that started this worker; the worker stops when it is gone.</summary>
    public int? ParentProcessId { get; set; }
}
