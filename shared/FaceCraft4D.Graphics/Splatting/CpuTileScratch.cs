using System.Collections.Concurrent;
using System.Numerics;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Working memory of one worker of the SIMD CPU kernel for one tile: the tile's Gaussians gathered in list order, the
/// per-pixel state (rows padded to whole chunks), one block's per-chunk lists and the block's per-lane gradient partials.
/// Grows on demand and is reused across tiles and calls.
/// </summary>
internal sealed class CpuTileScratch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Per Gaussian of the tile list (list order).
    // One record per Gaussian (what a chunk's inner loop reads, together); features [count, D]; X0..X1, Y0..Y1 the pixel
    // box clipped to the tile, in tile coordinates.
    public TileGaussian<T>[] G8 = [];
    public T[] F = [];
    public double[] Chord = []; // p, q, r of each Gaussian's ellipse sigma <= widened skip bound (SimdCpuCompositorKernel.PrecomputeGaussians)
    public int[] X0 = [], X1 = [], Y0 = [], Y1 = [];
    // Per pixel (row stride = padded tile width), per channel planes for Acc/G.
    public T[] Trans = [], Done = [], Stop = [], Acc = [], G = [], GS = [], GAT = [];
    // Per Gaussian of the block: the chunks of the band its box covers (bit per chunk); one chunk's list of the block.
    public ulong[] Masks = [];
    public int[] ChunkItems = [];
    // Backward: per Gaussian of the block, per gradient value, per chunk lane.
    public T[] Partials = [];

    public void EnsureGaussians(int count, int channels)
    {
        Grow(ref G8, count); Grow(ref F, count * channels); Grow(ref Chord, 3 * count);
        Grow(ref X0, count); Grow(ref X1, count); Grow(ref Y0, count); Grow(ref Y1, count);
    }

    public void EnsureChunks(int block)
    {
        Grow(ref Masks, block); Grow(ref ChunkItems, block + 1);
    }

    public void EnsurePartials(int values) => Grow(ref Partials, values);

    public void EnsurePixels(int pixels, int channels)
    {
        Grow(ref Trans, pixels); Grow(ref Done, pixels); Grow(ref Stop, pixels); Grow(ref Acc, pixels * channels);
        Grow(ref G, pixels * channels); Grow(ref GS, pixels); Grow(ref GAT, pixels);
    }

    private static void Grow<TE>(ref TE[] a, int n)
    {
        if (a.Length < n) a = new TE[Math.Max(n, Math.Max(64, a.Length * 2))];
    }
}

/// <summary>
/// One Gaussian of a tile list as the SIMD kernel's chunk loops read it: centre in tile coordinates, conic (a, b, c and
/// a/2, c/2), opacity, the sigma beyond which alpha &lt; MinAlpha, and its pixel box's x range in the tile.
/// </summary>
internal struct TileGaussian<T> where T : unmanaged
{
    public T Mx, My, HalfA, B, HalfC, A, C, O, Skip, XLo, XHi;
}

/// <summary>
/// Buffers owned by one SIMD CPU kernel instance (so by one rasterizer): per-worker tile scratch and the large
/// per-intersection / per-Gaussian gradient buffers, rented per call and returned, so steady-state calls allocate no
/// managed arrays. Thread-safe (concurrent calls each rent their own buffers); no static state.
/// </summary>
internal sealed class CpuRasterWorkspace
{
    private readonly ConcurrentBag<object> _scratch = new();
    private readonly ConcurrentBag<object> _arrays = new();

    public CpuTileScratch<T> RentScratch<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var _ in Enumerable.Range(0, 4))
        {
            if (!_scratch.TryTake(out var o)) break;
            if (o is CpuTileScratch<T> s) return s;
            _scratch.Add(o); // other precision: put back and try again
        }
        return new CpuTileScratch<T>();
    }

    public void Return<T>(CpuTileScratch<T> scratch) where T : unmanaged, IFloatingPointIeee754<T> => _scratch.Add(scratch);

    /// <summary>An array of at least <paramref name="length"/> elements (contents undefined).</summary>
    public TE[] RentArray<TE>(long length)
    {
        if (length > Array.MaxLength) throw new InvalidOperationException($"Rasterizer buffer of {length} elements is too large.");
        var kept = new List<object>();
        TE[]? found = null;
        while (_arrays.TryTake(out var o))
        {
            if (o is TE[] a && a.Length >= length) { found = a; break; }
            kept.Add(o);
        }
        foreach (var o in kept) _arrays.Add(o);
        return found ?? new TE[Math.Max(length, 1024)];
    }

    public void ReturnArray<TE>(TE[] array)
    {
        if (_arrays.Count < MaxPooledArrays) _arrays.Add(array); // beyond that, let the GC take it
    }

    private const int MaxPooledArrays = 8;
}
