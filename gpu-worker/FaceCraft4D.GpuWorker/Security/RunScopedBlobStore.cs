using System.Runtime.CompilerServices;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.GpuWorker.Security;

/// <summary>
/// The blob store a stage handler gets: every call is checked against the request's <see cref="StageRequestScope"/>
/// before it reaches storage, so a handler (or a crafted input name) cannot read another run's data or write outside
/// its work item's folder and its run's avatar folder.
/// </summary>
public sealed class RunScopedBlobStore(IBlobStore inner, StageRequest request) : IBlobStore
{
    private readonly StageRequestScope scope = StageRequestScope.Of(request);

    /// <inheritdoc />
    public Task<BlobRef> WriteAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken) =>
        inner.WriteAsync(Writable(blob), content, contentType, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken) =>
        inner.TryCreateAsync(Writable(blob), content, contentType, cancellationToken);

    /// <inheritdoc />
    public Task<BinaryData?> TryReadAsync(BlobRef blob, CancellationToken cancellationToken) =>
        inner.TryReadAsync(Readable(blob), cancellationToken);

    /// <inheritdoc />
    public Task<VersionedBlobContent?> TryReadVersionedAsync(BlobRef blob, CancellationToken cancellationToken) =>
        inner.TryReadVersionedAsync(Readable(blob), cancellationToken);

    /// <inheritdoc />
    public Task<string?> TryWriteIfVersionAsync(BlobRef blob, BinaryData content, string contentType, string? expectedVersion, CancellationToken cancellationToken) =>
        inner.TryWriteIfVersionAsync(Writable(blob), content, contentType, expectedVersion, cancellationToken);

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(Readable(blob), cancellationToken);

    /// <inheritdoc />
    public Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken) =>
        inner.GetInfoAsync(Readable(blob), cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Readable(new BlobRef(container, prefix));
        await foreach (var item in inner.ListAsync(container, prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <inheritdoc />
    public Task SetMetadataAsync(BlobRef blob, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken) =>
        inner.SetMetadataAsync(Writable(blob), entries, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(BlobRef blob, CancellationToken cancellationToken) =>
        inner.DeleteAsync(Writable(blob), cancellationToken);

    /// <inheritdoc />
    public Task<BlobRef> CopyAsync(BlobRef source, BlobRef target, CancellationToken cancellationToken) =>
        inner.CopyAsync(Readable(source), Writable(target), cancellationToken);

    /// <inheritdoc />
    public Task EnsureContainersAsync(IEnumerable<string> containers, CancellationToken cancellationToken) =>
        throw new BlobScopeViolationException("create containers", new BlobRef(string.Join(",", containers), string.Empty), request);

    private BlobRef Readable(BlobRef blob) =>
        scope.MayRead(blob) ? blob : throw new BlobScopeViolationException("read", blob, request);

    private BlobRef Writable(BlobRef blob) =>
        scope.MayWrite(blob) ? blob : throw new BlobScopeViolationException("write", blob, request);
}
