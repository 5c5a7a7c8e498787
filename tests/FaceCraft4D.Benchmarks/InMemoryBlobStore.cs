using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Benchmarks;

/// <summary>A process-local <see cref="IBlobStore"/> so stage benchmarks time the computation, not a storage emulator.</summary>
public sealed class InMemoryBlobStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, (BinaryData Content, string ContentType, DateTimeOffset Modified, Dictionary<string, string> Metadata)> blobs = new();

    private static string Key(BlobRef blob) => $"{blob.Container}/{blob.Name}";

    private static string Version(BinaryData data) => $"\"{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(data):x8}-{data.ToMemory().Length:x}\"";

    /// <inheritdoc />
    public Task<BlobRef> WriteAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        var hash = ContentHash.Of(content.ToMemory().Span);
        blobs[Key(blob)] = (content, contentType, DateTimeOffset.UtcNow, new Dictionary<string, string> { ["sha256"] = hash });
        return Task.FromResult(blob with { Sha256 = hash });
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        if (blobs.ContainsKey(Key(blob))) return false;
        await WriteAsync(blob, content, contentType, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public Task<BinaryData?> TryReadAsync(BlobRef blob, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.TryGetValue(Key(blob), out var b) ? b.Content : null);

    /// <inheritdoc />
    public Task<VersionedBlobContent?> TryReadVersionedAsync(BlobRef blob, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.TryGetValue(Key(blob), out var b) ? new VersionedBlobContent(b.Content, Version(b.Content)) : null);

    /// <inheritdoc />
    public Task<string?> TryWriteIfVersionAsync(
        BlobRef blob, BinaryData content, string contentType, string? expectedVersion, CancellationToken cancellationToken)
    {
        // A fresh BinaryData per write: its identity is the version (compare-and-swap on the dictionary entry).
        var copy = new BinaryData(content.ToArray());
        var entry = (copy, contentType, DateTimeOffset.UtcNow, new Dictionary<string, string> { ["sha256"] = ContentHash.Of(copy.ToMemory().Span) });
        var key = Key(blob);
        var written = expectedVersion is null
            ? blobs.TryAdd(key, entry)
            : blobs.TryGetValue(key, out var current) && Version(current.Content) == expectedVersion && blobs.TryUpdate(key, entry, current);
        return Task.FromResult(written ? Version(copy) : null);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken) =>
        blobs.TryGetValue(Key(blob), out var b) ? Task.FromResult(b.Content.ToStream()) : throw new BlobNotFoundException(blob);

    /// <inheritdoc />
    public Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken) =>
        Task.FromResult(blobs.TryGetValue(Key(blob), out var b)
            ? new BlobInfo(blob, b.Content.ToMemory().Length, b.ContentType, b.Modified, b.Metadata)
            : null);

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var key in blobs.Keys.Where(k => k.StartsWith($"{container}/{prefix}", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var info = await GetInfoAsync(new BlobRef(container, key[(container.Length + 1)..]), cancellationToken).ConfigureAwait(false);
            if (info is not null) yield return info;
        }
    }

    /// <inheritdoc />
    public Task SetMetadataAsync(BlobRef blob, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken)
    {
        if (!blobs.TryGetValue(Key(blob), out var b)) throw new BlobNotFoundException(blob);
        foreach (var (k, v) in entries) b.Metadata[k] = v;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobRef blob, CancellationToken cancellationToken) => Task.FromResult(blobs.TryRemove(Key(blob), out _));

    /// <inheritdoc />
    public async Task<BlobRef> CopyAsync(BlobRef source, BlobRef target, CancellationToken cancellationToken)
    {
        if (!blobs.TryGetValue(Key(source), out var b)) throw new BlobNotFoundException(source);
        return await WriteAsync(target, b.Content, b.ContentType, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task EnsureContainersAsync(IEnumerable<string> containers, CancellationToken cancellationToken) => Task.CompletedTask;
}
