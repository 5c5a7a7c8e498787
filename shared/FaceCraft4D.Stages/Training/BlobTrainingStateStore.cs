using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Stages.Training;

/// <summary>A training state kept in one blob (the work item's <c>training-state.bin</c>); each save replaces it in one upload.</summary>
public sealed class BlobTrainingStateStore(IBlobStore blobs, BlobRef blob) : ITrainingStateStore
{
    /// <summary>File name of the state under the work item's output prefix.</summary>
    public const string FileName = "training-state.bin";

    /// <summary>The blob.</summary>
    public BlobRef Blob { get; } = blob;

    /// <inheritdoc />
    public async Task<byte[]?> TryReadAsync(CancellationToken cancellationToken) =>
        (await blobs.TryReadAsync(Blob, cancellationToken).ConfigureAwait(false))?.ToArray();

    /// <inheritdoc />
    public Task WriteAsync(byte[] state, CancellationToken cancellationToken) =>
        blobs.WriteAsync(Blob, new BinaryData(state), StageImageCodec.BinaryContentType, cancellationToken);
}
