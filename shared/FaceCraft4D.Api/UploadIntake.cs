using FaceCraft4D.Api.Identity;
using FaceCraft4D.Pipeline.Intake;
using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api;

/// <summary>
/// Starts runs for photos dropped into <c>uploads/</c> (blob trigger in Azure, watcher in the local host).
/// A valid photo starts (or joins) its run and the upload is tagged with the run id; an invalid one is moved to
/// <c>uploads-rejected/</c> with a <c>.reason.json</c> file. Optional blob metadata <c>fc4dpreset</c> picks the preset.
/// The run's owner comes from the path (<see cref="UploadOwner"/>).
/// The blob's length is checked from its properties before it is read: an oversize upload is never downloaded; it is
/// deleted, and only its reason file goes to <c>uploads-rejected/</c>.
/// </summary>
public sealed class UploadIntake(
    IBlobStore blobs, AvatarRunService runs, IOptions<ApiOptions> apiOptions, IOptions<PortraitValidationOptions> uploadOptions, ILogger<UploadIntake> logger)
{
    /// <summary>Metadata key set on a processed upload.</summary>
    public const string RunIdMetadataKey = "fc4drunid";

    /// <summary>Metadata key naming the preset of an upload.</summary>
    public const string PresetMetadataKey = "fc4dpreset";

    /// <summary>Processes one upload; returns the run id, or null when it was rejected or already processed.</summary>
    public async Task<string?> ProcessAsync(string blobName, CancellationToken cancellationToken)
    {
        var upload = new BlobRef(StorageLayout.UploadsContainer, blobName);
        var info = await blobs.GetInfoAsync(upload, cancellationToken).ConfigureAwait(false);
        if (info is null || info.Metadata.ContainsKey(RunIdMetadataKey))
        {
            return null; // gone, or processed before (the metadata write itself re-triggers a blob trigger)
        }

        BinaryData? content;
        try
        {
            content = await Limits.BoundedBlobReader.TryReadAsync(blobs, upload, uploadOptions.Value.MaxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidPortraitException e)
        {
            await RejectAsync(upload, info, content: null, e.ReasonCode, e.Message, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (content is null)
        {
            return null;
        }

        if (UploadOwner.FromPath(blobName, apiOptions.Value.UploadOwnerFromPath) is not { } owner)
        {
            await RejectAsync(upload, info, content, "no-owner", $"Uploads go under {StorageLayout.UploadsContainer}/<owner id>/<name>; '{blobName}' names no owner.", cancellationToken)
                .ConfigureAwait(false);
            return null;
        }

        try
        {
            var preset = info.Metadata.GetValueOrDefault(PresetMetadataKey);
            var submission = await runs.SubmitAsync(content, blobName, preset, overrides: null, RunSource.BlobUpload, owner, cancellationToken)
                .ConfigureAwait(false);
            await blobs.SetMetadataAsync(upload, new Dictionary<string, string> { [RunIdMetadataKey] = submission.RunId }, cancellationToken)
                .ConfigureAwait(false);
            logger.LogInformation("Upload {Blob} -> run {RunId} ({New})", blobName, submission.RunId, submission.Created ? "new" : "existing");
            return submission.RunId;
        }
        catch (Exception e) when (e is InvalidPortraitException { StatusCode: not 503 } or InvalidSettingsException)
        {
            // (a 503, "busy", is not the upload's fault: it is left in place and the trigger or the watcher tries it again)
            var reason = e switch
            {
                InvalidPortraitException p => p.ReasonCode,
                InvalidSettingsException s => s.ReasonCode,
                _ => "invalid",
            };
            await RejectAsync(upload, info, content, reason, e.Message, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private async Task RejectAsync(BlobRef upload, BlobInfo info, BinaryData? content, string reason, string message, CancellationToken cancellationToken)
    {
        var (target, reasonFile) = StorageLayout.RejectedUpload(upload.Name);
        if (content is not null)
        {
            await blobs.WriteAsync(target, content, info.ContentType ?? "application/octet-stream", cancellationToken).ConfigureAwait(false);
        }

        var why = new JsonObject
        {
            ["upload"] = upload.ToString(),
            ["reason"] = reason,
            ["message"] = message,
            ["bytes"] = info.Length,
            ["kept"] = content is not null,
        };
        await blobs.WriteAsync(reasonFile, BinaryData.FromString(why.ToJsonString(ContractJson.Indented)), "application/json", cancellationToken)
            .ConfigureAwait(false);
        await blobs.DeleteAsync(upload, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Rejected upload {Blob}: {Reason} - {Message}", upload.Name, reason, message);
    }
}
