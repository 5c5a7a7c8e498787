using System.Text.Json;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Storage;

/// <summary>
/// Reads and writes <see cref="CheckpointRecord"/>s next to stage outputs. A checkpoint is valid for a request
/// when its input hash matches (which names the stage implementation and weights the request was stamped with), the
/// implementation that actually ran is that one, and every output it lists still exists with the recorded content hash.
/// </summary>
public sealed class CheckpointStore(IBlobStore blobs)
{
    /// <summary>The valid checkpoint of this request, or null when the work must run.</summary>
    public async Task<CheckpointRecord?> TryGetValidAsync(StageRequest request, CancellationToken cancellationToken)
    {
        var record = await TryReadAsync(request.RunId, request.Stage, request.Key, cancellationToken).ConfigureAwait(false);
        return await ValidateAsync(record, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The checkpoint record of a work item as stored, not yet checked against a request (<see cref="ValidateAsync"/>);
    /// null when there is none or it is unreadable. It needs no implementation stamp, so it can be read while the stamp is asked for.
    /// </summary>
    public async Task<CheckpointRecord?> TryReadAsync(string runId, PipelineStage stage, string key, CancellationToken cancellationToken)
    {
        var data = await blobs.TryReadAsync(StorageLayout.StageCheckpoint(runId, stage, key), cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            return null;
        }

        try
        {
            return data.ToObjectFromJson<CheckpointRecord>(ContractJson.Options);
        }
        catch (JsonException)
        {
            return null; // unreadable (e.g. written by an incompatible version): recompute
        }
    }

    /// <summary>The record when it is a valid checkpoint of this (stamped) request, or null when the work must run.</summary>
    public async Task<CheckpointRecord?> ValidateAsync(CheckpointRecord? record, StageRequest request, CancellationToken cancellationToken)
    {
        // A request without an implementation stamp, or a record made by other code or weights than the request names
        // (e.g. weights installed between the stamp and the run), is never reused.
        if (record is null || record.InputHash != request.InputHash() || request.Implementation is null || record.Implementation != request.Implementation)
        {
            return null;
        }

        foreach (var output in record.Outputs.Values)
        {
            var info = await blobs.GetInfoAsync(output, cancellationToken).ConfigureAwait(false);
            if (info is null || (output.Sha256 is not null && info.Blob.Sha256 is not null && info.Blob.Sha256 != output.Sha256))
            {
                return null;
            }
        }

        return record;
    }

    /// <summary>Writes the checkpoint record of a finished work item (last, after its outputs).</summary>
    public Task WriteAsync(CheckpointRecord record, CancellationToken cancellationToken)
    {
        var blob = StorageLayout.StageCheckpoint(record.RunId, record.Stage, record.Key);
        var json = BinaryData.FromObjectAsJson(record, ContractJson.Indented);
        return blobs.WriteAsync(blob, json, "application/json", cancellationToken);
    }
}
