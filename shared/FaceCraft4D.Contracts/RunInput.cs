namespace FaceCraft4D.Contracts;

/// <summary>How a run was started.</summary>
public enum RunSource
{
    Http,
    BlobUpload,
    Cli,
    Evaluation,
}

/// <summary>The orchestration input of one avatar run: everything the orchestrator may read.</summary>
/// <param name="RunId">Derived by <see cref="RunIdentity"/>.</param>
/// <param name="Portrait">The validated input photo under <c>runs/{runId}/input/</c>.</param>
/// <param name="Settings">All numbers of the run.</param>
/// <param name="Policy">Retry and polling policy captured at submission.</param>
/// <param name="Source">Where the run came from.</param>
/// <param name="OriginalName">The uploaded file name, for display only.</param>
/// <param name="Owner">Who the run belongs to (part of its id, see <see cref="RunIdentity"/>); null in runs stored before
/// owners existed, which belong to <see cref="RunIdentity.LocalOwner"/>.</param>
public sealed record RunInput(
    string RunId,
    BlobRef Portrait,
    PipelineSettings Settings,
    RunPolicy Policy,
    RunSource Source,
    string? OriginalName = null,
    string? Owner = null);
