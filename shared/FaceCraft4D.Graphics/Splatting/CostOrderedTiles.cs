namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Runs a per-tile body on every tile, the longest lists first, one tile at a time from a shared counter (longest
/// processing time first): on a few cores the expensive centre tiles start at once and the cheap border tiles fill the
/// gaps at the end, so no worker is left alone with a heavy tile while the others idle. <c>Parallel.For</c>'s range
/// partitioning in tile order handed each worker a contiguous run of tiles and stole in chunks, which left such a tail.
/// Each tile writes only its own pixels and its own intersections' slots, so the order changes no output bit; the
/// order itself (list length descending, ties by tile index) is deterministic.
/// </summary>
internal static class CostOrderedTiles
{
    /// <summary>
    /// Fills <paramref name="order"/>[0..tiles) with the tile indices by decreasing list length (ties: lower index
    /// first), from the lists' <paramref name="offsets"/> [tiles + 1] (<see cref="TileBins.TileOffsets"/>);
    /// <paramref name="keys"/> is scratch of at least <paramref name="tiles"/> elements.
    /// </summary>
    public static void Order(ReadOnlySpan<long> offsets, int tiles, long[] keys, int[] order)
    {
        for (int t = 0; t < tiles; t++)
        {
            long count = Math.Min(offsets[t + 1] - offsets[t], int.MaxValue);
            keys[t] = ((int.MaxValue - count) << 32) | (uint)t;
        }
        Array.Sort(keys, 0, tiles);
        for (int i = 0; i < tiles; i++) order[i] = (int)(keys[i] & 0xFFFFFFFFL);
    }

    /// <summary>
    /// Runs <paramref name="body"/> for <paramref name="order"/>[0..tiles) on up to
    /// <see cref="ParallelOptions.MaxDegreeOfParallelism"/> workers, each with its own local state.
    /// </summary>
    public static void For<TLocal>(int[] order, int tiles, ParallelOptions parallelism, Func<TLocal> localInit,
        Func<int, TLocal, TLocal> body, Action<TLocal> localFinally)
    {
        int workers = Math.Max(1, Math.Min(tiles, parallelism.MaxDegreeOfParallelism > 0 ? parallelism.MaxDegreeOfParallelism : Environment.ProcessorCount));
        var next = new int[1];
        Parallel.For(0, workers, parallelism, localInit, (_, _, local) =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next[0]) - 1) < tiles) local = body(order[i], local);
            return local;
        }, localFinally);
    }
}
