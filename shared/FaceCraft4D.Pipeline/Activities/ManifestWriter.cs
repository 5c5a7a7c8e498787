using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Pipeline.Activities;

/// <summary>Writes the <see cref="RunManifest"/> of a finished run.</summary>
public sealed class ManifestWriter(IBlobStore blobs)
{
    /// <summary>Writes <c>avatars/{runId}/manifest.json</c> (idempotent: rewriting gives the same content).</summary>
    public Task<BlobRef> WriteAsync(RunManifest manifest, CancellationToken cancellationToken) =>
        blobs.WriteAsync(
            StorageLayout.AvatarArtifact(manifest.Input.RunId, RunManifest.FileName),
            BinaryData.FromObjectAsJson(manifest, ContractJson.Indented),
            "application/json",
            cancellationToken);
}
