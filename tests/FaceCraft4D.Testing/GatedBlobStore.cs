using System.Runtime.CompilerServices;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Testing;

/// <summary>
/// A test double around another <see cref="IBlobStore"/> that counts reads and writes, reports each read as it starts,
/// and holds every operation until <see cref="Open"/> is called (open from the start unless made closed).
/// </summary>
public sealed class GatedBlobStore(IBlobStore inner, bool open = true) : IBlobStore
{
    private readonly TaskCompletionSource gate = NewGate(open);
    private int reads;
    private int writes;

    /// <summary>Operations that read (including listings and look-ups).</summary>
    public int Reads => Volatile.Read(ref reads);

    /// <summary>Operations that change storage.</summary>
    public int Writes => Volatile.Read(ref writes);

    /// <summary>Called with each blob as a read of it starts (before the gate).</summary>
    public Action<BlobRef>? ReadStarted { get; init; }

    /// <summary>Lets every held and later operation through.</summary>
    public void Open() => gate.TrySetResult();

    /// <inheritdoc />
    public async Task<BlobRef> WriteAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        await WriteGateAsync(cancellationToken);
        return await inner.WriteAsync(blob, content, contentType, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken)
    {
        await WriteGateAsync(cancellationToken);
        return await inner.TryCreateAsync(blob, content, contentType, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BinaryData?> TryReadAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        await ReadGateAsync(blob, cancellationToken);
        return await inner.TryReadAsync(blob, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<VersionedBlobContent?> TryReadVersionedAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        await ReadGateAsync(blob, cancellationToken);
        return await inner.TryReadVersionedAsync(blob, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<string?> TryWriteIfVersionAsync(BlobRef blob, BinaryData content, string contentType, string? expectedVersion, CancellationToken cancellationToken)
    {
        await WriteGateAsync(cancellationToken);
        return await inner.TryWriteIfVersionAsync(blob, content, contentType, expectedVersion, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        await ReadGateAsync(blob, cancellationToken);
        return await inner.OpenReadAsync(blob, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        await ReadGateAsync(blob, cancellationToken);
        return await inner.GetInfoAsync(blob, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ReadGateAsync(new BlobRef(container, prefix), cancellationToken);
        await foreach (var info in inner.ListAsync(container, prefix, cancellationToken))
        {
            yield return info;
        }
    }

    /// <inheritdoc />
    public async Task SetMetadataAsync(BlobRef blob, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken)
    {
        await WriteGateAsync(cancellationToken);
        await inner.SetMetadataAsync(blob, entries, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        await WriteGateAsync(cancellationToken);
        return await inner.DeleteAsync(blob, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<BlobRef> CopyAsync(BlobRef source, BlobRef target, CancellationToken cancellationToken)
    {
        await WriteGateAsync(cancellationToken);
        return await inner.CopyAsync(source, target, cancellationToken);
    }

    /// <inheritdoc />
    public async Task EnsureContainersAsync(IEnumerable<string> containers, CancellationToken cancellationToken)
    {
        await WriteGateAsync(cancellationToken);
        await inner.EnsureContainersAsync(containers, cancellationToken);
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            source.SetResult();
        }

        return source;
    }

    private Task ReadGateAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref reads);
        ReadStarted?.Invoke(blob);
        return gate.Task.WaitAsync(cancellationToken);
    }

    private Task WriteGateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref writes);
        return gate.Task.WaitAsync(cancellationToken);
    }
}
