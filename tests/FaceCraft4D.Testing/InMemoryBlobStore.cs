using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Testing;

/// <summary>Test double of <see cref="IBlobStore"/> for unit tests (integration tests use Azurite).</summary>
public sealed class InMemoryBlobStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, (BinaryData Data, string ContentType, Dictionary<string, string> Metadata)> blobs = new();

    /// <summary>Blobs stored, across containers (tests assert that refused requests store nothing).</summary>
    public int Count => blobs.Count;

    /// <inheritdoc />
    public Task<BlobRef> WriteAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        var sha = ContentHash.Of(content.ToMemory().Span);
        blobs[blob.ToString()] = (content, contentType, new Dictionary<string, string> { [AzureBlobStore.Sha256MetadataKey] = sha });
        return Task.FromResult(blob with { Sha256 = sha });
    }

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.TryAdd(blob.ToString(), (content, contentType,
            new Dictionary<string, string> { [AzureBlobStore.Sha256MetadataKey] = ContentHash.Of(content.ToMemory().Span) })));

    /// <inheritdoc />
    public Task<BinaryData?> TryReadAsync(BlobRef blob, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.TryGetValue(blob.ToString(), out var b) ? b.Data : null);

    /// <inheritdoc />
    public Task<VersionedBlobContent?> TryReadVersionedAsync(BlobRef blob, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.TryGetValue(blob.ToString(), out var b) ? new VersionedBlobContent(b.Data, Version(b.Data)) : null);

    /// <inheritdoc />
    public Task<string?> TryWriteIfVersionAsync(
        BlobRef blob, BinaryData content, string contentType, string? expectedVersion, CancellationToken cancellationToken)
    {
        // A fresh BinaryData per write: its identity is the version (compare-and-swap on the dictionary entry).
        var copy = new BinaryData(content.ToArray());
        var entry = (copy, contentType, new Dictionary<string, string> { [AzureBlobStore.Sha256MetadataKey] = ContentHash.Of(copy.ToMemory().Span) });
        var key = blob.ToString();
        bool written;
        if (expectedVersion is null)
        {
            written = blobs.TryAdd(key, entry);
        }
        else
        {
            written = blobs.TryGetValue(key, out var current) && Version(current.Data) == expectedVersion && blobs.TryUpdate(key, entry, current);
        }

        return Task.FromResult(written ? Version(copy) : null);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken) =>
        blobs.TryGetValue(blob.ToString(), out var b) ? Task.FromResult(b.Data.ToStream()) : throw new BlobNotFoundException(blob);

    /// <inheritdoc />
    public Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.TryGetValue(blob.ToString(), out var b) ? Info(blob, b) : null);

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (key, value) in blobs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var blob = new BlobRef(key[..key.IndexOf('/', StringComparison.Ordinal)], key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            if (blob.Container == container && blob.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return Info(blob, value);
            }
        }
    }

    /// <inheritdoc />
    public Task SetMetadataAsync(BlobRef blob, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken)
    {
        var b = blobs[blob.ToString()];
        foreach (var (k, v) in entries)
        {
            b.Metadata[k] = v;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobRef blob, CancellationToken cancellationToken) => Task.FromResult(blobs.TryRemove(blob.ToString(), out _));

    /// <inheritdoc />
    public async Task<BlobRef> CopyAsync(BlobRef source, BlobRef target, CancellationToken cancellationToken)
    {
        var b = blobs.TryGetValue(source.ToString(), out var found) ? found : throw new BlobNotFoundException(source);
        return await WriteAsync(target, b.Data, b.ContentType, cancellationToken);
    }

    /// <inheritdoc />
    public Task EnsureContainersAsync(IEnumerable<string> containers, CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Version(BinaryData data) => $"\"{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(data):x8}-{data.ToMemory().Length:x}\"";

    private static BlobInfo Info(BlobRef blob, (BinaryData Data, string ContentType, Dictionary<string, string> Metadata) b) =>
        new(blob with { Sha256 = b.Metadata.GetValueOrDefault(AzureBlobStore.Sha256MetadataKey) }, b.Data.ToMemory().Length, b.ContentType,
            DateTimeOffset.UnixEpoch, new Dictionary<string, string>(b.Metadata));
}
