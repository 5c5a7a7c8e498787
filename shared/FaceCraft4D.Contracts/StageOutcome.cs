namespace FaceCraft4D.Contracts;

/// <summary>What a stage activity returns to the orchestrator (small: references and counters only).</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Key">The work-item key.</param>
/// <param name="Outputs">Named output blobs.</param>
/// <param name="Backend">Implementation that produced them.</param>
/// <param name="Reused">True when a matching checkpoint was returned without calling a worker.</param>
/// <param name="DurationMs">Wall time of the work (of the original execution when reused).</param>
/// <param name="WorkerCalls">HTTP attempts made to workers by this activity execution (0 when reused).</param>
/// <param name="Work">When the job ran and the peak memory of worker and host (null when reused or not reported).</param>
public sealed record StageOutcome(
    PipelineStage Stage,
    string Key,
    IReadOnlyDictionary<string, BlobRef> Outputs,
    string Backend,
    bool Reused,
    long DurationMs,
    int WorkerCalls,
    StageWork? Work = null);
