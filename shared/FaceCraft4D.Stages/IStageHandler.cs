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

    /// <summary>Runs one work item. Throw <see cref="StageInputException"/> for inputs that cannot work and
    /// <see cref="BackendUnavailableException"/> for a backend that is not available here.</summary>
    Task<StageResult> ExecuteAsync(StageJobContext context);
}
