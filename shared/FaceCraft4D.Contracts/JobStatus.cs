namespace FaceCraft4D.Contracts;

/// <summary>Life cycle of a worker job.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>Why a job failed: decides whether a retry can help.</summary>
public enum JobFailureKind
{
    /// <summary>Unexpected error in the worker; a resubmission retries the work.</summary>
    Internal,

    /// <summary>The inputs cannot be processed (e.g. no face); retrying cannot help.</summary>
    InvalidInput,

    /// <summary>The stage or the requested backend is not available in this worker.</summary>
    NotImplemented,
}

/// <summary>Progress of a worker job (training iterations, losses, ETA).</summary>
/// <param name="Done">Units done (iterations, frames, ...).</param>
/// <param name="Total">Units in all.</param>
/// <param name="Message">Short human text, e.g. <c>iteration 1200/30000</c>.</param>
/// <param name="Figures">Named figures such as losses.</param>
/// <param name="EtaSeconds">Estimated seconds left, when known.</param>
/// <param name="ResumedFrom">The iteration a resumed job restarted from, when it resumed from a checkpoint.</param>
public sealed record JobProgress(
    long Done,
    long Total,
    string? Message = null,
    IReadOnlyDictionary<string, double>? Figures = null,
    double? EtaSeconds = null,
    long? ResumedFrom = null);

/// <summary>The answer of <c>GET /api/jobs/{stage}/{jobId}</c>.</summary>
public sealed record JobStatus(
    string JobId,
    PipelineStage Stage,
    JobState State,
    JobProgress? Progress,
    StageResult? Result,
    string? Error,
    JobFailureKind? Failure,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>True for succeeded, failed or cancelled.</summary>
    public bool IsTerminal => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
