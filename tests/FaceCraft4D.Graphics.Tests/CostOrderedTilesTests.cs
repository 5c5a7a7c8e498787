using System.Collections.Concurrent;
using FaceCraft4D.Graphics.Splatting;
using Xunit;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>The SIMD CPU kernel's tile schedule: longest lists first, ties by index, every tile run exactly once.</summary>
public sealed class CostOrderedTilesTests
{
    [Fact]
    public void Tiles_are_ordered_by_decreasing_list_length_with_ties_by_index()
    {
        long[] counts = [3, 0, 7, 3, 12, 0, 7, 1];
        var offsets = new long[counts.Length + 1];
        for (int t = 0; t < counts.Length; t++) offsets[t + 1] = offsets[t] + counts[t];
        var order = new int[counts.Length];
        CostOrderedTiles.Order(offsets, counts.Length, new long[counts.Length], order);
        Assert.Equal(new[] { 4, 2, 6, 0, 3, 7, 1, 5 }, order);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Every_tile_runs_exactly_once_in_order_on_one_worker_and_once_on_many(int threads)
    {
        const int tiles = 300;
        var order = Enumerable.Range(0, tiles).Select(t => (t * 37) % tiles).ToArray();
        var seen = new int[tiles];
        var perWorker = new ConcurrentBag<List<int>>();
        CostOrderedTiles.For(order, tiles, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new List<int>(), (tile, local) =>
        {
            Interlocked.Increment(ref seen[tile]);
            local.Add(tile);
            return local;
        }, perWorker.Add);
        Assert.All(seen, s => Assert.Equal(1, s));
        // Each worker takes the tiles in schedule order (a shared counter, no ranges).
        var position = new int[tiles];
        for (int i = 0; i < tiles; i++) position[order[i]] = i;
        foreach (var list in perWorker)
            for (int i = 1; i < list.Count; i++) Assert.True(position[list[i - 1]] < position[list[i]]);
        if (threads == 1) Assert.Equal(order, perWorker.Single());
    }
}
