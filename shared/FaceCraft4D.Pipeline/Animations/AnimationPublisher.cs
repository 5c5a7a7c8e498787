using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Logging;
using Files = FaceCraft4D.Contracts.VideoAnimationContract.Files;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>
/// The last step of a video animation job: copies the clip and its previews into the avatar folder and adds the clip to
/// <c>animation/index.json</c> (source <c>video</c>), keeping every other clip. Idempotent (a retried or replayed publish
/// writes the same files and one index entry per name); the index is updated with optimistic concurrency, so two jobs
/// finishing at once on one run both land.
/// </summary>
public sealed class AnimationPublisher(IBlobStore blobs, ILogger<AnimationPublisher> logger)
{
    private const int MaxIndexAttempts = 8;

    /// <summary>Publishes; returns the avatar files written, by their name under <c>avatars/{runId}/</c>.</summary>
    public async Task<IReadOnlyDictionary<string, BlobRef>> PublishAsync(AnimationPublication publication, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        var clip = Find(publication.Clip, Files.Clip)
            ?? throw new InvalidOperationException($"The video-clip stage produced no {Files.Clip} (outputs: {string.Join(", ", publication.Clip.Keys)}).");
        var written = new Dictionary<string, BlobRef>(StringComparer.Ordinal);
        var clipName = PublishedAnimationFiles.Clip(publication.Name);
        written[clipName] = await CopyAsync(clip, publication.RunId, clipName, cancellationToken).ConfigureAwait(false);
        string? mp4 = null, gif = null;
        if (Find(publication.Clip, Files.PreviewMp4) is { } preview)
        {
            mp4 = PublishedAnimationFiles.PreviewMp4(publication.Name);
            written[mp4] = await CopyAsync(preview, publication.RunId, mp4, cancellationToken).ConfigureAwait(false);
        }

        if (Find(publication.Clip, Files.PreviewGif) is { } previewGif)
        {
            gif = PublishedAnimationFiles.PreviewGif(publication.Name);
            written[gif] = await CopyAsync(previewGif, publication.RunId, gif, cancellationToken).ConfigureAwait(false);
        }

        var frames = await FramesOfAsync(clip, cancellationToken).ConfigureAwait(false) ?? publication.TotalFrames;
        var entry = new JsonObject
        {
            ["name"] = publication.Name,
            ["file"] = clipName,
            ["frames"] = frames,
            ["fps"] = publication.Fps,
            ["source"] = PublishedAnimationFiles.VideoSource,
            ["posedPly"] = new JsonArray(),
            ["animationId"] = publication.AnimationId,
        };
        if (mp4 is not null)
        {
            entry["preview"] = mp4;
        }

        if (gif is not null)
        {
            entry["previewGif"] = gif;
        }

        written[PublishedAnimationFiles.Index] = await AddToIndexAsync(publication.RunId, entry, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Published animation {AnimationId} of {RunId} as clip '{Name}' ({Frames} frames)",
            publication.AnimationId, publication.RunId, publication.Name, frames);
        return written;
    }

    /// <summary>
    /// Adds (or replaces, by name) the entry in <c>animation/index.json</c>, keeping every other clip and field. Only a clip
    /// of source <c>video</c> is ever replaced: the submission refuses names of bundled clips, and this check keeps it so.
    /// </summary>
    private async Task<BlobRef> AddToIndexAsync(string runId, JsonObject entry, CancellationToken cancellationToken)
    {
        var blob = StorageLayout.AvatarArtifact(runId, PublishedAnimationFiles.Index);
        for (var attempt = 1; attempt <= MaxIndexAttempts; attempt++)
        {
            var current = await blobs.TryReadVersionedAsync(blob, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Run {runId} has no {PublishedAnimationFiles.Index}; it was not exported.");
            var index = JsonNode.Parse(current.Content.ToString()) as JsonObject
                ?? throw new InvalidOperationException($"{blob} is not a JSON object.");
            if (index["clips"] is not JsonArray clips)
            {
                clips = [];
                index["clips"] = clips;
            }

            var name = entry["name"]!.GetValue<string>();
            for (var i = clips.Count - 1; i >= 0; i--)
            {
                if (clips[i] is JsonObject existing && existing["name"]?.GetValue<string>() == name)
                {
                    if (existing["source"]?.GetValue<string>() != PublishedAnimationFiles.VideoSource)
                    {
                        throw new ClipNameTakenException(name);
                    }

                    clips.RemoveAt(i);
                }
            }

            clips.Add(entry.DeepClone());
            var text = index.ToJsonString(ContractJson.Indented);
            if (await blobs.TryWriteIfVersionAsync(blob, BinaryData.FromString(text), "application/json", current.Version, cancellationToken)
                    .ConfigureAwait(false) is not null)
            {
                return blob with { Sha256 = ContentHash.OfText(text) };
            }

            logger.LogInformation("{Index} changed while adding clip '{Name}'; trying again ({Attempt})", blob, name, attempt);
        }

        throw new InvalidOperationException($"{blob} kept changing; clip not added after {MaxIndexAttempts} attempts.");
    }

    private async Task<BlobRef> CopyAsync(BlobRef source, string runId, string name, CancellationToken cancellationToken)
    {
        var target = await blobs.CopyAsync(source, StorageLayout.AvatarArtifact(runId, name), cancellationToken).ConfigureAwait(false);
        return target.Sha256 is null && source.Sha256 is not null ? target with { Sha256 = source.Sha256 } : target;
    }

    /// <summary>The <c>frames</c> entry of the clip file's safetensors metadata, when present.</summary>
    private async Task<int?> FramesOfAsync(BlobRef clip, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(clip, cancellationToken).ConfigureAwait(false);
        var length = new byte[8];
        await stream.ReadExactlyAsync(length, cancellationToken).ConfigureAwait(false);
        var headerBytes = BitConverter.ToUInt64(length);
        if (headerBytes is 0 or > 100_000_000)
        {
            return null;
        }

        var header = new byte[headerBytes];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(header));
            return document.RootElement.TryGetProperty("__metadata__", out var metadata)
                   && metadata.TryGetProperty("frames", out var frames)
                   && frames.ValueKind == JsonValueKind.String
                   && int.TryParse(frames.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var count)
                ? count
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static BlobRef? Find(IReadOnlyDictionary<string, BlobRef> outputs, string fileName) =>
        outputs.TryGetValue(fileName, out var blob)
            ? blob
            : outputs.Values.FirstOrDefault(b => b.Name.EndsWith("/" + fileName, StringComparison.Ordinal));
}

/// <summary>The clip name belongs to a clip that did not come from a video (a bundled or tracked clip): never overwritten.</summary>
public sealed class ClipNameTakenException(string name)
    : Activities.PermanentStageException($"The avatar already has a clip named '{name}' that did not come from a video; choose another name.")
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;
}
