namespace FaceCraft4D.Contracts;

/// <summary>
/// Written next to a stage work item's outputs once they are complete. An activity whose checkpoint has the
/// same <see cref="InputHash"/> (and whose outputs still exist) returns it without calling a worker.
/// <see cref="Implementation"/> is the <see cref="StageImplementation.Id"/> of the code and weights that actually ran
/// (null in records made before implementations were versioned: those are never reused).
/// </summary>
public sealed record CheckpointRecord(
    string RunId,
    PipelineStage Stage,
    string Key,
    string InputHash,
    IReadOnlyDictionary<string, BlobRef> Outputs,
    string Backend,
    string WorkerVersion,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    IReadOnlyDictionary<string, double>? Metrics = null,
    IReadOnlyList<string>? Notes = null,
    string? Implementation = null)
{
    /// <summary>Wall time of the original execution.</summary>
    public long DurationMs => (long)(CompletedAt - StartedAt).TotalMilliseconds;
}
