namespace FaceCraft4D.Contracts;

/// <summary>What a worker returns for a <see cref="StageRequest"/>.</summary>
/// <param name="Outputs">Named output blobs (with content hashes).</param>
/// <param name="Backend">Which implementation produced them, e.g. <c>template</c>, <c>warp</c>, <c>diffusion:cosmicman-v1</c>.</param>
/// <param name="WorkerVersion">Version of the worker build.</param>
/// <param name="Metrics">Optional figures (losses, PSNR, timings).</param>
/// <param name="Notes">Warnings or remarks worth showing to a user.</param>
public sealed record StageResult(
    IReadOnlyDictionary<string, BlobRef> Outputs,
    string Backend,
    string WorkerVersion,
    IReadOnlyDictionary<string, double>? Metrics = null,
    IReadOnlyList<string>? Notes = null);
