using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Storage;

/// <summary><see cref="IBlobStore"/> over Azure Blob Storage (and Azurite).</summary>
public sealed class AzureBlobStore(BlobServiceClient service) : IBlobStore
{
    /// <summary>Metadata key holding the lower-case hex SHA-256 of the content.</summary>
    public const string Sha256MetadataKey = "sha256";

    /// <inheritdoc />
    public async Task<BlobRef> WriteAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        var sha = ContentHash.Of(content.ToMemory().Span);
        await Client(blob).UploadAsync(content, Options(contentType, sha, ifNoneMatch: false), cancellationToken).ConfigureAwait(false);
        return blob with { Sha256 = sha };
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        var sha = ContentHash.Of(content.ToMemory().Span);
        try
        {
            await Client(blob).UploadAsync(content, Options(contentType, sha, ifNoneMatch: true), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<VersionedBlobContent?> TryReadVersionedAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Client(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return new VersionedBlobContent(result.Value.Content, result.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string?> TryWriteIfVersionAsync(
        BlobRef blob, BinaryData content, string contentType, string? expectedVersion, CancellationToken cancellationToken)
    {
        var sha = ContentHash.Of(content.ToMemory().Span);
        var options = Options(contentType, sha, ifNoneMatch: expectedVersion is null);
        if (expectedVersion is not null)
        {
            options.Conditions = new BlobRequestConditions { IfMatch = new ETag(expectedVersion) };
        }

        try
        {
            var result = await Client(blob).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
            return result.Value.ETag.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<BinaryData?> TryReadAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Client(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return result.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        try
        {
            return await Client(blob).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new BlobNotFoundException(blob);
        }
    }

    /// <inheritdoc />
    public async Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        try
        {
            var props = await Client(blob).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return ToInfo(blob, props.Value.ContentLength, props.Value.ContentType, props.Value.LastModified, props.Value.Metadata);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = service.GetBlobContainerClient(container);
        await foreach (var item in client.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return ToInfo(
                new BlobRef(container, item.Name),
                item.Properties.ContentLength ?? 0,
                item.Properties.ContentType,
                item.Properties.LastModified ?? DateTimeOffset.MinValue,
                item.Metadata);
        }
    }

    /// <inheritdoc />
    public async Task SetMetadataAsync(BlobRef blob, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken)
    {
        var info = await GetInfoAsync(blob, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(blob);
        var metadata = new Dictionary<string, string>(info.Metadata, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries)
        {
            metadata[key] = value;
        }

        await Client(blob).SetMetadataAsync(metadata, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        var response = await Client(blob).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    /// <inheritdoc />
    public async Task<BlobRef> CopyAsync(BlobRef source, BlobRef target, CancellationToken cancellationToken)
    {
        var info = await GetInfoAsync(source, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(source);
        var content = await TryReadAsync(source, cancellationToken).ConfigureAwait(false) ?? throw new BlobNotFoundException(source);
        return await WriteAsync(target, content, info.ContentType ?? "application/octet-stream", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task EnsureContainersAsync(IEnumerable<string> containers, CancellationToken cancellationToken)
    {
        foreach (var name in containers)
        {
            await service.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private BlobClient Client(BlobRef blob) => service.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name);

    private static BlobUploadOptions Options(string contentType, string sha, bool ifNoneMatch) => new()
    {
        HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
        Metadata = new Dictionary<string, string> { [Sha256MetadataKey] = sha },
        Conditions = ifNoneMatch ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null,
    };

    private static BlobInfo ToInfo(BlobRef blob, long length, string? contentType, DateTimeOffset modified, IDictionary<string, string>? metadata)
    {
        var meta = metadata is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
        return new BlobInfo(blob with { Sha256 = meta.GetValueOrDefault(Sha256MetadataKey) }, length, contentType, modified, meta);
    }
}
