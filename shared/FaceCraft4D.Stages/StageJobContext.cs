using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Stages;

/// <summary>Everything a stage handler gets for one work item.</summary>
/// <param name="Request">The work item.</param>
/// <param name="Blobs">Blob storage (inputs, outputs, training checkpoints).</param>
/// <param name="Progress">Reports progress (shown in the run's status).</param>
/// <param name="WorkerVersion">Version of this worker build, for results.</param>
/// <param name="CancellationToken">Cancelled when the job is cancelled or the worker stops.</param>
public sealed record StageJobContext(
    StageRequest Request,
    IBlobStore Blobs,
    IProgress<JobProgress> Progress,
    string WorkerVersion,
    CancellationToken CancellationToken)
{
    /// <summary>
    /// The fencing token of the worker's claim on this job (0: unfenced). State that a later owner of the same job
    /// may also write (the training state) carries it, and a write over a larger token is refused.
    /// </summary>
    public long FencingToken { get; init; }

    /// <summary>
    /// The worker's libtorch thread budget (null: leave the threads as they are). A stage's torch loop calls
    /// <see cref="TorchThreadBudget.Apply"/> between steps, so a job that runs alone uses every core it is given.
    /// </summary>
    public TorchThreadBudget? TorchThreads { get; init; }

    /// <summary>A blob reference for an output file of this work item.</summary>
    public BlobRef Output(string fileName) =>
        StorageLayout.StageOutput(Request.RunId, Request.Stage, Request.Key, fileName);

    /// <summary>Writes an output file of this work item and returns its reference (with content hash).</summary>
    public Task<BlobRef> WriteOutputAsync(string fileName, BinaryData content, string contentType) =>
        Blobs.WriteAsync(Output(fileName), content, contentType, CancellationToken);

    /// <summary>Reads a named input whole; a clear error if it is missing.</summary>
    public async Task<BinaryData> ReadInputAsync(string name) =>
        await Blobs.TryReadAsync(Request.Input(name), CancellationToken).ConfigureAwait(false)
        ?? throw new StageInputException("input-missing", $"Input '{name}' ({Request.Input(name)}) does not exist.");

    /// <summary>Reads a named JSON input.</summary>
    public async Task<T> ReadJsonInputAsync<T>(string name) =>
        (await ReadInputAsync(name).ConfigureAwait(false)).ToObjectFromJson<T>(ContractJson.Options)
        ?? throw new StageInputException("input-invalid", $"Input '{name}' is empty JSON.");

    /// <summary>Writes a JSON output file.</summary>
    public Task<BlobRef> WriteJsonOutputAsync<T>(string fileName, T value) =>
        WriteOutputAsync(fileName, BinaryData.FromObjectAsJson(value, ContractJson.Indented), "application/json");
}
