namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// One chunk of a driving video: it owns frames [First, First + Count) and also tracks <see cref="Overlap"/> frames past
/// each border (clamped to the video), so the fan-in can blend across chunk borders.
/// </summary>
/// <param name="First">First frame the chunk owns.</param>
/// <param name="Count">Frames it owns.</param>
/// <param name="Overlap">Extra frames tracked on each side.</param>
/// <param name="TotalFrames">Frames of the whole video.</param>
public readonly record struct ChunkRange(int First, int Count, int Overlap, int TotalFrames)
{
    /// <summary>First frame tracked: <c>max(0, First - Overlap)</c>.</summary>
    public int TrackFirst => Math.Max(0, First - Overlap);

    /// <summary>One past the last frame tracked: <c>min(TotalFrames, First + Count + Overlap)</c>.</summary>
    public int TrackEnd => Math.Min(TotalFrames, First + Count + Overlap);

    /// <summary>Frames tracked.</summary>
    public int TrackCount => TrackEnd - TrackFirst;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a range outside the video.</summary>
    public ChunkRange Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(TotalFrames, 1, nameof(TotalFrames));
        ArgumentOutOfRangeException.ThrowIfNegative(First, nameof(First));
        ArgumentOutOfRangeException.ThrowIfLessThan(Count, 1, nameof(Count));
        ArgumentOutOfRangeException.ThrowIfNegative(Overlap, nameof(Overlap));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(First + Count, TotalFrames, nameof(Count));
        return this;
    }

    /// <summary>
    /// Blend weight of this chunk at frame <paramref name="t"/>: 1 inside its own range away from neighbours; across a
    /// border B with a neighbouring chunk it ramps linearly over [B - Overlap, B + Overlap), so the two weights sum to 1.
    /// </summary>
    public double Weight(int t)
    {
        if (t < TrackFirst || t >= TrackEnd) return 0;
        if (Overlap == 0) return t >= First && t < First + Count ? 1 : 0;
        double w = 1;
        if (First > 0) w *= Math.Clamp((t - (First - Overlap) + 0.5) / (2.0 * Overlap), 0, 1);
        int end = First + Count;
        if (end < TotalFrames) w *= Math.Clamp((end + Overlap - t - 0.5) / (2.0 * Overlap), 0, 1);
        return w;
    }

    /// <summary>The chunks of a video of <paramref name="totalFrames"/> frames, <paramref name="chunkFrames"/> each (the last may be shorter).</summary>
    public static IReadOnlyList<ChunkRange> Plan(int totalFrames, int chunkFrames, int overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkFrames, 1);
        var list = new List<ChunkRange>();
        for (int first = 0; first < totalFrames; first += chunkFrames)
            list.Add(new ChunkRange(first, Math.Min(chunkFrames, totalFrames - first), overlap, totalFrames));
        return list;
    }
}
