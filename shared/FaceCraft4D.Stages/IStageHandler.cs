using FaceCraft4D.Contracts;

namespace FaceCraft4D.Stages;

/// <summary>
/// The implementation of one pipeline stage inside the GPU worker: reads its inputs from blobs, computes,
/// writes its outputs under the request's output prefix and returns them with the backend that produced them.
/// </summary>
public interface IStageHandler
{
    /// <summary>The stage this handler implements.</summary>
    PipelineStage Stage { get; }

    /// <summary>Backends this handler can run, for the capabilities endpoint (e.g. <c>template</c>, <c>panohead</c>).</summary>
    IReadOnlyList<string> Backends { get; }

    /// <summary>
    /// Version of this handler's implementation: bump it whenever its outputs change for the same inputs (a fixed bug,
    /// a new default, a changed file format). It is part of every input hash, so checkpoints of the old version are
    /// not reused and the stage reruns (and, where its outputs changed, every stage that depends on them).
    /// </summary>
    int ImplementationVersion { get; }

    /// <summary>
    /// The weights this handler's backends may read: model-store paths (files or folders, relative to
    /// <c>Fc4d:Models</c>, or absolute local paths). Their fingerprint is part of every input hash, so installing or
    /// replacing weights reruns the stage (with the backend those weights enable).
    /// </summary>
    IReadOnlyList<string> WeightPaths { get; }

    /// <summary>Runs one work item. Throw <see cref="StageInputException"/> for inputs that cannot work and
    /// <see cref="BackendUnavailableException"/> for a backend that is not available here.</summary>
    Task<StageResult> ExecuteAsync(StageJobContext context);
}
