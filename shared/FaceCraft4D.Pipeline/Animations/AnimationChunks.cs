namespace FaceCraft4D.Pipeline.Animations;

/// <summary>One tracking work item: the frames it owns (its neighbours track <c>overlap</c> more on each side).</summary>
/// <param name="Index">Chunk number (0-based).</param>
/// <param name="FirstFrame">First frame it owns.</param>
/// <param name="FrameCount">Frames it owns.</param>
public sealed record AnimationChunk(int Index, int FirstFrame, int FrameCount);

/// <summary>Splits a resampled video into tracking chunks that cover every frame exactly once.</summary>
public static class AnimationChunks
{
    /// <summary>
    /// Chunks of <paramref name="chunkFrames"/> frames over <paramref name="totalFrames"/>; a last chunk shorter than a
    /// quarter of a chunk is merged into the one before it (a handful of frames is not worth a work item).
    /// </summary>
    public static IReadOnlyList<AnimationChunk> Plan(int totalFrames, int chunkFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkFrames, 1);
        var count = Math.Max(1, (totalFrames + chunkFrames - 1) / chunkFrames);
        var last = totalFrames - ((count - 1) * chunkFrames);
        if (count > 1 && last * 4 < chunkFrames)
        {
            count--;
        }

        var chunks = new AnimationChunk[count];
        for (var i = 0; i < count; i++)
        {
            var first = i * chunkFrames;
            var frames = i == count - 1 ? totalFrames - first : chunkFrames;
            chunks[i] = new AnimationChunk(i, first, frames);
        }

        return chunks;
    }
}
