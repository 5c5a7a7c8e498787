namespace FaceCraft4D.Contracts;

/// <summary>The orchestration output: where the avatar is and which backend made every stage.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Artifacts">Named final artifacts under <c>avatars/{runId}/</c>.</param>
/// <param name="Backends">Backend per stage slug.</param>
/// <param name="Stages">Final per-stage progress (counts, reuse, attempts, timing).</param>
/// <param name="Items">Every work item that ran in this run (reused ones have no entry), in completion order.</param>
/// <param name="Timing">The whole run: from the orchestration's start to its last stage's end, the time outside stage work, peak memory.</param>
public sealed record RunOutput(
    string RunId,
    IReadOnlyDictionary<string, BlobRef> Artifacts,
    IReadOnlyDictionary<string, string> Backends,
    IReadOnlyList<StageProgress> Stages,
    StageTiming? Timing = null,
    IReadOnlyList<WorkItemTiming>? Items = null);
