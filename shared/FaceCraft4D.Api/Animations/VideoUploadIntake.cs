using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Animations;

/// <summary>
/// Starts animation jobs for videos dropped into <c>uploads/animations/{runId}/{file}</c> (blob trigger in Azure, the uploads
/// watcher locally). An accepted video starts (or joins) its job and the upload is tagged with the animation id; a refused
/// one is moved to <c>uploads-rejected/</c> with a <c>.reason.json</c>. Optional blob metadata: <c>fc4dname</c> (clip name,
/// default the file's stem when it is a valid name), <c>fc4dmode</c>, <c>fc4dfps</c>.
/// The uploader must own the run, as for portraits (<see cref="Identity.UploadOwner"/>): with
/// <see cref="ApiOptions.UploadOwnerFromPath"/> (Azure) videos go to <c>uploads/animations/{owner}/{runId}/{file}</c> and the
/// owner folder names the uploader; without it (the local stack) every upload is the local owner's. A run of another owner
/// is refused exactly like a missing one (<c>run-not-found</c>), before anything is read or stored.
/// </summary>
public sealed class VideoUploadIntake(
    IBlobStore blobs, AnimationService animations, IOptions<AnimationOptions> options, ILogger<VideoUploadIntake> logger, IOptions<ApiOptions>? apiOptions = null)
{
    /// <summary>Metadata key set on a processed upload.</summary>
    public const string AnimationIdMetadataKey = "fc4danimationid";

    /// <summary>Metadata keys of the optional request fields.</summary>
    public const string NameMetadataKey = "fc4dname", ModeMetadataKey = "fc4dmode", FpsMetadataKey = "fc4dfps";

    /// <summary>True for blob names under <c>animations/</c> in the uploads container (these are videos, not portraits).</summary>
    public static bool IsAnimationUpload(string blobName) => blobName.StartsWith(VideoAnimationContract.UploadPrefix, StringComparison.Ordinal);

    /// <summary>The upload folders (in the uploads container) that can hold videos of <paramref name="runId"/> (purged with the run).</summary>
    public static IReadOnlyList<string> UploadPrefixes(string runId, string? owner) =>
        owner is not null && Identity.UploadOwner.IsOwnerId(owner)
            ? [$"{VideoAnimationContract.UploadPrefix}{runId}/", $"{VideoAnimationContract.UploadPrefix}{owner}/{runId}/"]
            : [$"{VideoAnimationContract.UploadPrefix}{runId}/"];

    /// <summary>Processes one upload; returns the animation id, or null when it was refused or already processed.</summary>
    public async Task<string?> ProcessAsync(string blobName, CancellationToken cancellationToken)
    {
        var upload = new BlobRef(StorageLayout.UploadsContainer, blobName);
        var info = await blobs.GetInfoAsync(upload, cancellationToken).ConfigureAwait(false);
        if (info is null || info.Metadata.ContainsKey(AnimationIdMetadataKey))
        {
            return null; // gone, or processed before (the metadata write itself re-triggers a blob trigger)
        }

        var ownerFromPath = apiOptions?.Value.UploadOwnerFromPath == true;
        var parts = blobName.Split('/');
        var expected = ownerFromPath ? 4 : 3;
        if (parts.Length != expected || !IsAnimationUpload(blobName) || !RunIdentity.IsValid(parts[^2]) || parts[^1].Length == 0
            || (ownerFromPath && !Identity.UploadOwner.IsOwnerId(parts[1])))
        {
            var layout = ownerFromPath ? "{owner id}/{runId}/{file}" : "{runId}/{file}";
            await RejectAsync(upload, info, ownerFromPath && parts.Length == 3 ? "no-owner" : "invalid-path",
                $"Videos go to uploads/{VideoAnimationContract.UploadPrefix}{layout}.", cancellationToken).ConfigureAwait(false);
            return null;
        }

        var uploader = ownerFromPath ? parts[1] : RunIdentity.LocalOwner;
        var runId = parts[^2];
        var fileName = parts[^1];
        try
        {
            if (await animations.FindRunOwnerAsync(runId, cancellationToken).ConfigureAwait(false) != uploader)
            {
                // Checked before the video is read; a foreign run reads exactly like a missing one.
                throw new InvalidAnimationRequestException("run-not-found", $"There is no avatar run '{runId}'.", 404);
            }

            if (info.Length > options.Value.MaxUploadBytes)
            {
                throw new InvalidAnimationRequestException("too-large", $"The video is {info.Length} bytes; the limit is {options.Value.MaxUploadBytes} bytes.", 413);
            }

            await using var stream = await blobs.OpenReadAsync(upload, cancellationToken).ConfigureAwait(false);
            await using var video = await VideoUploadBuffer.CreateAsync(stream, fileName, options.Value.MaxUploadBytes, options.Value.TempDirectory, cancellationToken)
                .ConfigureAwait(false);
            var request = new AnimationRequest(
                info.Metadata.GetValueOrDefault(NameMetadataKey) ?? DefaultName(fileName),
                info.Metadata.GetValueOrDefault(ModeMetadataKey),
                info.Metadata.GetValueOrDefault(FpsMetadataKey));
            var submission = await animations.SubmitAsync(runId, video, request, RunSource.BlobUpload, cancellationToken, requiredOwner: uploader).ConfigureAwait(false);
            await blobs.SetMetadataAsync(upload, new Dictionary<string, string> { [AnimationIdMetadataKey] = submission.AnimationId }, cancellationToken)
                .ConfigureAwait(false);
            logger.LogInformation("Upload {Blob} -> animation {AnimationId} on {RunId} ({New})",
                blobName, submission.AnimationId, runId, submission.Created ? "new" : "existing");
            return submission.AnimationId;
        }
        catch (InvalidAnimationRequestException e) when (e.StatusCode != 503)
        {
            await RejectAsync(upload, info, e.ReasonCode, e.Message, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>The file's stem as a clip name when it is a valid one (lower-cased), else null (the default name).</summary>
    private static string? DefaultName(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName).ToLowerInvariant();
        return stem.Length is > 0 and <= 48 && (char.IsAsciiLetterLower(stem[0]) || char.IsAsciiDigit(stem[0]))
               && stem.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_')
            ? stem
            : null;
    }

    private async Task RejectAsync(BlobRef upload, BlobInfo info, string reason, string message, CancellationToken cancellationToken)
    {
        var (target, reasonFile) = StorageLayout.RejectedUpload(upload.Name);
        await blobs.CopyAsync(upload, target, cancellationToken).ConfigureAwait(false);
        var why = new JsonObject
        {
            ["upload"] = upload.ToString(),
            ["reason"] = reason,
            ["message"] = message,
            ["bytes"] = info.Length,
        };
        await blobs.WriteAsync(reasonFile, BinaryData.FromString(why.ToJsonString(ContractJson.Indented)), "application/json", cancellationToken)
            .ConfigureAwait(false);
        await blobs.DeleteAsync(upload, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Rejected video upload {Blob}: {Reason} - {Message}", upload.Name, reason, message);
    }
}
