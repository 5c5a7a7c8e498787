using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// The same tile lists as <see cref="TileBinning"/> (identical ids and order) built with managed loops for CPU
/// tensors: one stable depth sort of the N Gaussians, a count of intersections per tile, then a counting scatter that
/// visits the Gaussians nearest first, so every tile's list comes out depth-sorted without sorting the M intersections.
/// Given conics and opacities it also drops the tiles of a Gaussian's radius rectangle that its <see cref="AlphaFootprint"/>
/// (where alpha can reach MinAlpha) does not reach, and returns the per-Gaussian pixel boxes narrowed to the footprint
/// (<see cref="TileBins.PixelBoxes"/>): the lists are then subsets of <see cref="TileBinning"/>'s in the same order, and
/// the SIMD CPU kernel's output is bit-identical (the dropped pairs and pixels composite nothing).
/// </summary>
internal static unsafe class ManagedTileBinning
{
    /// <summary>Builds the tile lists (CPU tensors).</summary>
    /// <param name="means2d">Projected centres [N, 2] (pixels).</param>
    /// <param name="radii">Per-axis radii [N, 2] (0 = culled).</param>
    /// <param name="depths">Camera depths [N].</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <param name="tileSize">Tile edge in pixels.</param>
    /// <param name="conics">Conics [N, 3] (a, b, c) for the footprint test, or null for the radius rectangles only.</param>
    /// <param name="opacities">Opacities [N] (with <paramref name="conics"/>).</param>
    /// <param name="minAlpha">The compositing skip threshold (with <paramref name="conics"/>; 0 = no footprint test).</param>
    /// <param name="threads">Workers for the per-Gaussian footprint pass (0 = all processors); the lists do not depend on it.</param>
    /// <remarks>
    /// Three passes: (1) per Gaussian, in parallel over fixed blocks of <see cref="Block"/> Gaussians (each Gaussian's
    /// results depend on it alone): its tile rectangle, and with the footprint test its narrowed pixel box and, for
    /// rectangles of 2 x 2 tiles or more, the tile columns it reaches on each tile row (stored, so the footprint is
    /// computed once per Gaussian); (2) the count per tile; (3) the scatter in depth order. Passes 2 and 3 are integer work.
    /// Compiled fully optimised on its first call (called once per render, its loops would otherwise run as tier-0 /
    /// on-stack-replacement code for many calls, as the SIMD kernel's tile loops did before s28).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TileBins Bin(Tensor means2d, Tensor radii, Tensor depths, int width, int height, int tileSize,
        Tensor? conics = null, Tensor? opacities = null, double minAlpha = 0, int threads = 0)
    {
        if (means2d.device.type != DeviceType.CPU) throw new InvalidOperationException("Managed tile binning needs CPU tensors.");
        int tilesX = (width + tileSize - 1) / tileSize, tilesY = (height + tileSize - 1) / tileSize;
        int tileCount = tilesX * tilesY;
        int n = (int)means2d.shape[0];
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var m = means2d.detach().to_type(ScalarType.Float64).contiguous();
        var r = radii.to_type(ScalarType.Int32).contiguous();
        // Nearest first, ties by input index (stable), as TileBinning.
        var order = n == 0 ? torch.zeros(0, ScalarType.Int64) : torch.sort(depths.detach(), 0, false, true).indices.contiguous();
        long* op = Ptr<long>(order);
        bool footprints = conics is not null && opacities is not null && minAlpha > 0 && n > 0;
        Tensor? boxes = null;
        var pass = new GaussianPass
        {
            Means = (nint)Ptr<double>(m), Radii = (nint)Ptr<int>(r), TilesX = tilesX, TilesY = tilesY, TileSize = tileSize,
            Width = width, Height = height, MinAlpha = minAlpha,
        };
        if (footprints)
        {
            pass.Conics = (nint)Ptr<double>(conics!.detach().to_type(ScalarType.Float64).contiguous());
            pass.Opacities = (nint)Ptr<double>(opacities!.detach().reshape(n).to_type(ScalarType.Float64).contiguous());
            boxes = torch.empty(new long[] { n, 4 }, ScalarType.Int32);
            pass.Boxes = (nint)Ptr<int>(boxes);
        }

        int blocks = (n + Block - 1) / Block;
        var rects = ArrayPool<int>.Shared.Rent(Math.Max(1, RectInts * n));
        var spans = footprints ? ArrayPool<int[]>.Shared.Rent(Math.Max(1, blocks)) : null;
        var cursor = ArrayPool<long>.Shared.Rent(tileCount + 1);
        try
        {
            // Pass 1: per Gaussian (parallel over fixed blocks; nothing shared is written but the Gaussian's own slots).
            if (footprints && blocks > 1)
            {
                var parallelism = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
                Parallel.For(0, blocks, parallelism, blk => spans![blk] = RectsOfBlock(pass, blk, n, rects, ArrayPool<int>.Shared.Rent(16 * Block)));
            }
            else
            {
                for (int blk = 0; blk < blocks; blk++)
                {
                    var buffer = footprints ? ArrayPool<int>.Shared.Rent(16 * Block) : null;
                    buffer = RectsOfBlock(pass, blk, n, rects, buffer);
                    if (spans is not null) spans[blk] = buffer!;
                }
            }

            // Pass 2: intersections per tile (exclusive prefix sums).
            Array.Clear(cursor, 0, tileCount + 1);
            for (int g = 0; g < n; g++)
            {
                int x0 = rects[RectInts * g], x1 = rects[RectInts * g + 1], y0 = rects[RectInts * g + 2], y1 = rects[RectInts * g + 3];
                int at = rects[RectInts * g + 4];
                if (at >= 0)
                {
                    int[] rows = spans![g / Block];
                    for (int ty = y0; ty < y1; ty++, at += 2)
                    {
                        int lo = rows[at], hi = rows[at + 1];
                        for (int tx = lo; tx < hi; tx++) cursor[ty * tilesX + tx + 1]++;
                    }
                    continue;
                }
                for (int ty = y0; ty < y1; ty++)
                    for (int tx = x0; tx < x1; tx++) cursor[ty * tilesX + tx + 1]++;
            }
            for (int t = 0; t < tileCount; t++) cursor[t + 1] += cursor[t];
            long total = cursor[tileCount]; // the scatter below writes exactly the slots counted here
            var offsets = torch.empty(tileCount + 1, ScalarType.Int64);
            new ReadOnlySpan<long>(cursor, 0, tileCount + 1).CopyTo(new Span<long>(Ptr<long>(offsets), tileCount + 1));

            // Pass 3: nearest first into every tile's slots, so each list comes out depth-sorted.
            var ids = torch.empty(total, ScalarType.Int64);
            long* ip = Ptr<long>(ids);
            for (int i = 0; i < n; i++)
            {
                int g = (int)op[i];
                int x0 = rects[RectInts * g], x1 = rects[RectInts * g + 1], y0 = rects[RectInts * g + 2], y1 = rects[RectInts * g + 3];
                int at = rects[RectInts * g + 4];
                if (at >= 0)
                {
                    int[] rows = spans![g / Block];
                    for (int ty = y0; ty < y1; ty++, at += 2)
                    {
                        int lo = rows[at], hi = rows[at + 1];
                        for (int tx = lo; tx < hi; tx++) ip[cursor[ty * tilesX + tx]++] = g;
                    }
                    continue;
                }
                for (int ty = y0; ty < y1; ty++)
                    for (int tx = x0; tx < x1; tx++) ip[cursor[ty * tilesX + tx]++] = g;
            }
            return new TileBins
            {
                GaussianIds = ids.MoveToOuterDisposeScope(),
                TileOffsets = offsets.MoveToOuterDisposeScope(),
                TilesX = tilesX, TilesY = tilesY, TileSize = tileSize, Width = width, Height = height,
                PixelBoxes = boxes?.MoveToOuterDisposeScope(),
            };
        }
        finally
        {
            if (spans is not null)
            {
                for (int blk = 0; blk < blocks; blk++)
                    if (spans[blk] is { } buffer) ArrayPool<int>.Shared.Return(buffer);
                Array.Clear(spans, 0, blocks);
                ArrayPool<int[]>.Shared.Return(spans);
            }
            ArrayPool<int>.Shared.Return(rects);
            ArrayPool<long>.Shared.Return(cursor);
        }
    }

    /// <summary>Gaussians per block of the per-Gaussian pass (fixed, so the work split does not depend on the thread count).</summary>
    private const int Block = 2048;

    /// <summary>Ints per Gaussian in the rectangle array: tile columns [x0, x1), rows [y0, y1), offset of its row spans in its block's buffer (-1: the whole rectangle).</summary>
    private const int RectInts = 5;

    /// <summary>Raw views the per-Gaussian pass reads and writes (the owning tensors are kept alive by the caller).</summary>
    private struct GaussianPass
    {
        public nint Means, Radii, Conics, Opacities, Boxes;
        public int TilesX, TilesY, TileSize, Width, Height;
        public double MinAlpha;
    }

    /// <summary>
    /// Pass 1 for the Gaussians of one block: their tile rectangles into <paramref name="rects"/> and, with the footprint
    /// test, their pixel boxes and row spans (tile columns [lo, hi) per tile row of the rectangle) appended to
    /// <paramref name="buffer"/>, which it grows as needed and returns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[]? RectsOfBlock(in GaussianPass p, int blk, int n, int[] rects, int[]? buffer)
    {
        double* mp = (double*)p.Means, cp = (double*)p.Conics, ap = (double*)p.Opacities;
        int* rp = (int*)p.Radii, bp = (int*)p.Boxes;
        bool footprints = bp != null;
        int tileSize = p.TileSize, tilesX = p.TilesX, tilesY = p.TilesY;
        int used = 0;
        for (int g = blk * Block, end = Math.Min(n, g + Block); g < end; g++)
        {
            int x0 = 0, x1 = 0, y0 = 0, y1 = 0, at = -1;
            int rx = rp[2 * g], ry = rp[2 * g + 1];
            if (rx > 0 && ry > 0)
            {
                double mx = mp[2 * g], my = mp[2 * g + 1];
                x0 = ClampTile(Math.Floor((mx - rx) / tileSize), tilesX); x1 = ClampTile(Math.Ceiling((mx + rx) / tileSize), tilesX);
                y0 = ClampTile(Math.Floor((my - ry) / tileSize), tilesY); y1 = ClampTile(Math.Ceiling((my + ry) / tileSize), tilesY);
                if (x1 < x0) x1 = x0;
                if (y1 < y0) y1 = y0;
                if (footprints)
                {
                    var f = Footprint(g, mp, cp, ap, p.MinAlpha, p.Width, p.Height, rp, bp);
                    int* bx = bp + 4 * g;
                    if (bx[0] > bx[1] || bx[2] > bx[3]) { x1 = x0; y1 = y0; }
                    else
                    {
                        // The tiles of the narrowed pixel box (within the radius rectangle's: the lists stay subsets).
                        x0 = Math.Max(x0, FloorDiv(bx[0], tileSize)); x1 = Math.Min(x1, FloorDiv(bx[1], tileSize) + 1);
                        y0 = Math.Max(y0, FloorDiv(bx[2], tileSize)); y1 = Math.Min(y1, FloorDiv(bx[3], tileSize) + 1);
                        if (x1 < x0) x1 = x0;
                        if (y1 < y0) y1 = y0;
                    }
                    if (x1 - x0 >= 2 && y1 - y0 >= 2 && f.IsBounded)
                    {
                        // Two or more tiles each way: the ellipse can miss corner tiles of its box; its reach per tile row.
                        if (used + 2 * (y1 - y0) > buffer!.Length)
                        {
                            var grown = ArrayPool<int>.Shared.Rent(Math.Max(2 * buffer.Length, used + 2 * (y1 - y0)));
                            Array.Copy(buffer, grown, used);
                            ArrayPool<int>.Shared.Return(buffer);
                            buffer = grown;
                        }
                        at = used;
                        for (int ty = y0; ty < y1; ty++)
                        {
                            var (lo, hi) = RowTiles(f, ty, x0, x1, tileSize, p.Height);
                            buffer[used++] = lo; buffer[used++] = hi;
                        }
                    }
                }
            }
            else if (footprints)
            {
                bp[4 * g] = 0; bp[4 * g + 1] = -1; bp[4 * g + 2] = 0; bp[4 * g + 3] = -1;
            }
            rects[RectInts * g] = x0; rects[RectInts * g + 1] = x1; rects[RectInts * g + 2] = y0; rects[RectInts * g + 3] = y1;
            rects[RectInts * g + 4] = at;
        }
        return buffer;
    }

    /// <summary>
    /// The footprint of Gaussian g; with <paramref name="boxes"/> also writes its pixel box: the radius box as the SIMD
    /// kernel computes it (pixel centres within the per-axis radius), narrowed to the footprint's box.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static AlphaFootprint Footprint(int g, double* mp, double* cp, double* ap, double minAlpha, int width, int height, int* radii, int* boxes)
    {
        double mx = mp[2 * g], my = mp[2 * g + 1];
        var f = new AlphaFootprint(mx, my, cp[3 * g], cp[3 * g + 1], cp[3 * g + 2], ap[g], minAlpha, width + height);
        if (boxes is null) return f;
        int rx = radii[2 * g], ry = radii[2 * g + 1];
        int* b = boxes + 4 * g;
        b[0] = (int)Math.Ceiling(mx - rx - 0.5); b[1] = (int)Math.Floor(mx + rx - 0.5);
        b[2] = (int)Math.Ceiling(my - ry - 0.5); b[3] = (int)Math.Floor(my + ry - 0.5);
        if (f.IsEmpty) b[1] = b[0] - 1;
        else if (f.IsBounded)
        {
            var (fx0, fx1, fy0, fy1) = f.PixelBox;
            b[0] = Math.Max(b[0], fx0); b[1] = Math.Min(b[1], fx1);
            b[2] = Math.Max(b[2], fy0); b[3] = Math.Min(b[3], fy1);
        }
        return f;
    }

    /// <summary>Tile columns [lo, hi) within [x0, x1) whose pixels on tile row ty the footprint reaches.</summary>
    private static (int Lo, int Hi) RowTiles(in AlphaFootprint f, int ty, int x0, int x1, int tileSize, int height)
    {
        var (px0, px1) = f.PixelRangeOnRows(ty * tileSize + 0.5, Math.Min(ty * tileSize + tileSize, height) - 0.5);
        if (px0 > px1) return (x0, x0);
        int lo = Math.Max(x0, FloorDiv(px0, tileSize)), hi = Math.Min(x1, FloorDiv(px1, tileSize) + 1);
        return hi < lo ? (lo, lo) : (lo, hi);
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static int ClampTile(double v, int max) => (int)Math.Clamp(v, 0, max);

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged =>
        t.numel() == 0 ? null : (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
