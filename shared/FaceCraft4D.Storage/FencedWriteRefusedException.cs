using FaceCraft4D.Contracts;

namespace FaceCraft4D.Storage;

/// <summary>
/// A write of fenced state was refused: the stored state carries a larger fencing token, i.e. a later owner of the
/// same job wrote it. The writer has lost its claim and must stop.
/// </summary>
public sealed class FencedWriteRefusedException(BlobRef blob, long fence, long storedFence)
    : Exception($"Refused to write {blob} with fencing token {fence}: it holds state of token {storedFence} (the job was taken over).")
{
    /// <summary>The blob.</summary>
    public BlobRef Blob { get; } = blob;

    /// <summary>The writer's token.</summary>
    public long Fence { get; } = fence;

    /// <summary>The token of the stored state.</summary>
    public long StoredFence { get; } = storedFence;
}
