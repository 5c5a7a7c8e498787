using FaceCraft4D.Contracts;

namespace FaceCraft4D.Storage;

/// <summary>
/// The blob operations the system needs. Every write records the content's SHA-256 in blob metadata and
/// returns a <see cref="BlobRef"/> carrying it, so downstream input hashes need no re-reading.
/// </summary>
public interface IBlobStore
{
    /// <summary>Writes (replacing) a blob and returns its reference with the content hash.</summary>
    Task<BlobRef> WriteAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken);

    /// <summary>Writes a blob only if none exists; returns false (and writes nothing) when it already exists.</summary>
    Task<bool> TryCreateAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken);

    /// <summary>Reads a whole blob, or null when it does not exist.</summary>
    Task<BinaryData?> TryReadAsync(BlobRef blob, CancellationToken cancellationToken);

    /// <summary>Reads a whole blob with its version (the ETag), or null when it does not exist.</summary>
    Task<VersionedBlobContent?> TryReadVersionedAsync(BlobRef blob, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a blob only if its current version is <paramref name="expectedVersion"/> (If-Match), or, when that is
    /// null, only if it does not exist (If-None-Match *). Returns the new version, or null (nothing written) when the
    /// blob changed or appeared meanwhile: the optimistic-concurrency primitive of shared records.
    /// </summary>
    Task<string?> TryWriteIfVersionAsync(BlobRef blob, BinaryData content, string contentType, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Opens a blob for streaming reads; throws <see cref="BlobNotFoundException"/> when absent.</summary>
    Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken);

    /// <summary>Properties of a blob, or null when it does not exist.</summary>
    Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken);

    /// <summary>Blobs under a prefix, in name order.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, CancellationToken cancellationToken);

    /// <summary>Adds or replaces metadata entries of an existing blob (keeps the content hash entry).</summary>
    Task SetMetadataAsync(BlobRef blob, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken);

    /// <summary>Deletes a blob if it exists; returns whether it did.</summary>
    Task<bool> DeleteAsync(BlobRef blob, CancellationToken cancellationToken);

    /// <summary>Copies a blob inside the account (server side where possible).</summary>
    Task<BlobRef> CopyAsync(BlobRef source, BlobRef target, CancellationToken cancellationToken);

    /// <summary>Makes sure the containers exist.</summary>
    Task EnsureContainersAsync(IEnumerable<string> containers, CancellationToken cancellationToken);
}

/// <summary>Properties of a stored blob.</summary>
public sealed record BlobInfo(BlobRef Blob, long Length, string? ContentType, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Thrown when a blob that must exist does not.</summary>
public sealed class BlobNotFoundException(BlobRef blob)
    : Exception($"Blob {blob} does not exist.")
{
    /// <summary>The missing blob.</summary>
    public BlobRef Blob { get; } = blob;
}
