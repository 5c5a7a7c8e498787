using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FaceCraft4D.Models.Installation;
using FaceCraft4D.Models.Manifest;

namespace FaceCraft4D.Models.Blob;

/// <summary>
/// <c>--to-blob</c>: copies an installed prior folder into the models container under the same relative paths
/// (<c>{prior}/{version}/...</c>, what <c>ModelStore</c> reads). A blob with the same size and sha256 metadata is left alone.
/// </summary>
public sealed class ModelBlobUploader(BlobServiceClient service)
{
    /// <summary>Metadata key holding the file's sha256.</summary>
    public const string Sha256Metadata = "sha256";

    /// <summary>Uploads every file of the prior's folder; returns (uploaded, unchanged) counts.</summary>
    public async Task<(int Uploaded, int Unchanged)> UploadAsync(ModelsFolder folder, PriorEntry prior, string container,
        IProgress<ModelsProgress>? progress, CancellationToken cancellationToken)
    {
        var root = folder.PriorFolder(prior);
        if (!Directory.Exists(root)) throw new ModelsException($"{prior.Name} is not installed ({root}); nothing to upload.");
        var client = service.GetBlobContainerClient(container);
        await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        int uploaded = 0, unchanged = 0;
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            var name = $"{prior.Folder.TrimEnd('/')}/{relative}";
            var blob = client.GetBlobClient(name);
            var sha = await FileHashing.Sha256Async(path, cancellationToken).ConfigureAwait(false);
            long size = new FileInfo(path).Length;
            try
            {
                var props = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                if (props.Value.ContentLength == size && props.Value.Metadata.TryGetValue(Sha256Metadata, out var existing) && existing == sha)
                {
                    unchanged++;
                    progress?.Report(new ModelsProgress(prior.Name, name, "upload", size, size, Message: "unchanged"));
                    continue;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
            await blob.UploadAsync(stream, new BlobUploadOptions
            {
                Metadata = new Dictionary<string, string> { [Sha256Metadata] = sha },
                ProgressHandler = new Progress<long>(b => progress?.Report(new ModelsProgress(prior.Name, name, "upload", b, size))),
            }, cancellationToken).ConfigureAwait(false);
            uploaded++;
        }
        return (uploaded, unchanged);
    }
}
