using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Models;

/// <summary>Operator-supplied model files: the local folder first, then the models blob container.</summary>
public sealed class ModelStore(IBlobStore blobs, IOptions<ModelStoreOptions> options)
{
    private readonly ModelStoreOptions settings = options.Value;

    /// <summary>Where a relative model path is looked for, for messages.</summary>
    public string Describe(string relativePath) =>
        settings.LocalPath is { Length: > 0 } local
            ? $"{Path.Combine(local, relativePath)} or blob {settings.Container}/{relativePath}"
            : $"blob {settings.Container}/{relativePath}";

    /// <summary>True when the file exists in the folder or the container.</summary>
    public async Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken)
    {
        if (LocalFile(relativePath) is not null) return true;
        return await blobs.GetInfoAsync(Blob(relativePath), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Opens the file, or null when it is in neither place. Returns where it came from.</summary>
    public async Task<(Stream Stream, string Source)?> TryOpenAsync(string relativePath, CancellationToken cancellationToken)
    {
        if (LocalFile(relativePath) is { } path)
            return (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true), path);
        var blob = Blob(relativePath);
        if (await blobs.GetInfoAsync(blob, cancellationToken).ConfigureAwait(false) is null) return null;
        return (await blobs.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false), blob.ToString());
    }

    private string? LocalFile(string relativePath)
    {
        if (settings.LocalPath is not { Length: > 0 } local) return null;
        var path = Path.GetFullPath(Path.Combine(local, relativePath));
        return File.Exists(path) ? path : null;
    }

    private BlobRef Blob(string relativePath) => new(settings.Container, relativePath.Replace('\\', '/').TrimStart('/'));
}
