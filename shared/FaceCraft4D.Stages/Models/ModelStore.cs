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

    /// <summary>
    /// The identity of the weight files under the given paths (files or folders; relative to the store, or absolute
    /// local paths): 16 hex digits of a SHA-256 over every file found (where it is, its size, and its sha256 metadata,
    /// else its modification time), or <see cref="StageImplementation.NoWeights"/> when none is there. Installing,
    /// replacing or removing weights changes it; nothing is read but listings.
    /// </summary>
    public async Task<string> FingerprintAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var entries = new List<string>();
        foreach (var path in paths.Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal))
        {
            entries.AddRange(LocalEntries(path));
            if (!Path.IsPathRooted(path))
            {
                await foreach (var entry in BlobEntriesAsync(path, cancellationToken).ConfigureAwait(false))
                {
                    entries.Add(entry);
                }
            }
        }

        if (entries.Count == 0) return StageImplementation.NoWeights;
        entries.Sort(StringComparer.Ordinal);
        return ContentHash.OfText(string.Join('\n', entries))[..16];
    }

    private IEnumerable<string> LocalEntries(string path)
    {
        string full;
        if (Path.IsPathRooted(path)) full = Path.GetFullPath(path);
        else if (settings.LocalPath is { Length: > 0 } local) full = Path.GetFullPath(Path.Combine(local, path));
        else yield break;

        var files = File.Exists(full) ? [new FileInfo(full)]
            : Directory.Exists(full) ? new DirectoryInfo(full).EnumerateFiles("*", SearchOption.AllDirectories).ToArray()
            : Array.Empty<FileInfo>();
        foreach (var file in files)
        {
            var name = file.FullName == full ? string.Empty : "/" + Path.GetRelativePath(full, file.FullName).Replace('\\', '/');
            yield return $"local:{path.TrimEnd('/')}{name}:{file.Length}:{file.LastWriteTimeUtc.Ticks}";
        }
    }

    private async IAsyncEnumerable<string> BlobEntriesAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var name = path.Replace('\\', '/').Trim('/');
        var found = new List<BlobInfo>();
        try
        {
            await foreach (var info in blobs.ListAsync(settings.Container, name, cancellationToken).ConfigureAwait(false))
            {
                if (info.Blob.Name == name || info.Blob.Name.StartsWith(name + "/", StringComparison.Ordinal)) found.Add(info);
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // no models container: no weights there
        }

        foreach (var info in found)
        {
            var content = info.Metadata.FirstOrDefault(m => string.Equals(m.Key, "sha256", StringComparison.OrdinalIgnoreCase)).Value
                          ?? info.LastModified.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return $"blob:{info.Blob.Name}:{info.Length}:{content}";
        }
    }

    private string? LocalFile(string relativePath)
    {
        if (settings.LocalPath is not { Length: > 0 } local) return null;
        var path = Path.GetFullPath(Path.Combine(local, relativePath));
        return File.Exists(path) ? path : null;
    }

    private BlobRef Blob(string relativePath) => new(settings.Container, relativePath.Replace('\\', '/').TrimStart('/'));
}
