using System.Buffers.Binary;
using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Stages.Training;

/// <summary>
/// A training state kept in one blob (the work item's <c>training-state.bin</c>); each save replaces it in one upload.
/// With a fencing token (the worker's claim on the job, &gt; 0) the blob starts with a 16-byte header
/// (<c>FC4DFNC1</c>, then the token as little-endian int64) and a save is conditional: it is refused
/// (<see cref="FencedWriteRefusedException"/>) when the stored state carries a larger token, i.e. a later owner of the
/// job wrote it, and it only replaces the version it checked (If-Match), so a paused owner that resumes can never
/// overwrite the newer owner's state. States without the header (token 0) read as before.
/// </summary>
public sealed class BlobTrainingStateStore(IBlobStore blobs, BlobRef blob, long fencingToken = 0) : ITrainingStateStore
{
    /// <summary>File name of the state under the work item's output prefix.</summary>
    public const string FileName = "training-state.bin";

    private static ReadOnlySpan<byte> Magic => "FC4DFNC1"u8;

    private const int HeaderLength = 16;

    /// <summary>The blob.</summary>
    public BlobRef Blob { get; } = blob;

    /// <summary>The fencing token of the stored state (0 without a header).</summary>
    public static long FenceOf(ReadOnlySpan<byte> stored) =>
        stored.Length >= HeaderLength && stored[..Magic.Length].SequenceEqual(Magic) ? BinaryPrimitives.ReadInt64LittleEndian(stored[Magic.Length..HeaderLength]) : 0;

    /// <inheritdoc />
    public async Task<byte[]?> TryReadAsync(CancellationToken cancellationToken)
    {
        var stored = await blobs.TryReadAsync(Blob, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Payload(stored.ToMemory().Span);
    }

    /// <inheritdoc />
    public async Task WriteAsync(byte[] state, CancellationToken cancellationToken)
    {
        if (fencingToken <= 0)
        {
            await blobs.WriteAsync(Blob, new BinaryData(state), StageImageCodec.BinaryContentType, cancellationToken).ConfigureAwait(false);
            return;
        }

        var content = new byte[HeaderLength + state.Length];
        Magic.CopyTo(content);
        BinaryPrimitives.WriteInt64LittleEndian(content.AsSpan(Magic.Length, 8), fencingToken);
        state.CopyTo(content, HeaderLength);
        for (var attempt = 0; ; attempt++)
        {
            var current = await blobs.TryReadVersionedAsync(Blob, cancellationToken).ConfigureAwait(false);
            var storedFence = current is null ? 0 : FenceOf(current.Content.ToMemory().Span);
            if (storedFence > fencingToken)
            {
                throw new FencedWriteRefusedException(Blob, fencingToken, storedFence);
            }

            var written = await blobs.TryWriteIfVersionAsync(Blob, new BinaryData(content), StageImageCodec.BinaryContentType, current?.Version, cancellationToken)
                .ConfigureAwait(false);
            if (written is not null)
            {
                return;
            }

            if (attempt >= 3)
            {
                throw new IOException($"{Blob} kept changing while saving the training state (another writer?).");
            }
        }
    }

    private static byte[] Payload(ReadOnlySpan<byte> stored) =>
        stored.Length >= HeaderLength && stored[..Magic.Length].SequenceEqual(Magic) ? stored[HeaderLength..].ToArray() : stored.ToArray();
}
