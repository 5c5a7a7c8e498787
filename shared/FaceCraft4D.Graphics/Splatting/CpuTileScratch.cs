using System.Collections.Concurrent;
using System.Numerics;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Working memory of one worker of the SIMD CPU kernel for one tile: the per-pixel state (rows padded to whole vectors;
/// the tile's Gaussians are read from the kernel's per-Gaussian records). Grows on demand and is reused across tiles and calls.
/// </summary>
internal sealed class CpuTileScratch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Per pixel (row stride = padded tile width), per channel planes for Acc/G.
    public T[] Trans = [], Done = [], Stop = [], Acc = [], G = [], GS = [], GAT = [];

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
