namespace FaceCraft4D.Contracts;

/// <summary>
/// What runs a stage at a worker: the stage handler's implementation version (bumped when its outputs change for the
/// same inputs) and the fingerprint of the weights its backends read (<see cref="NoWeights"/> when none are installed).
/// Its <see cref="Id"/> goes into every <see cref="StageRequest.InputHash"/>, so a checkpoint is reused only by the
/// same code with the same weights.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Version">The handler's implementation version.</param>
/// <param name="Weights">16 hex digits of the weights fingerprint, or <see cref="NoWeights"/>.</param>
public sealed record StageImplementation(PipelineStage Stage, int Version, string Weights)
{
    /// <summary>The weights fingerprint of a stage none of whose weight files is installed.</summary>
    public const string NoWeights = "none";

    /// <summary>The text that goes into input hashes and checkpoint records, e.g. <c>shape-prior/v3/weights-0123456789abcdef</c>.</summary>
    public string Id => $"{Stage.Slug()}/v{Version}/weights-{Weights}";
}
