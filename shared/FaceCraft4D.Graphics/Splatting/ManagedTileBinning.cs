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
    /// <remarks>Compiled fully optimised on its first call (called once per render, its loops would otherwise run as tier-0 /
    /// on-stack-replacement code for many calls, as the SIMD kernel's tile loops did before s28).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TileBins Bin(Tensor means2d, Tensor radii, Tensor depths, int width, int height, int tileSize,
        Tensor? conics = null, Tensor? opacities = null, double minAlpha = 0)
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
        double* mp = Ptr<double>(m); int* rp = Ptr<int>(r); long* op = Ptr<long>(order);
        bool footprints = conics is not null && opacities is not null && minAlpha > 0 && n > 0;
        Tensor? boxes = null;
        double* cp = null, ap = null;
        int* bp = null;
        if (footprints)
        {
            cp = Ptr<double>(conics!.detach().to_type(ScalarType.Float64).contiguous());
            ap = Ptr<double>(opacities!.detach().reshape(n).to_type(ScalarType.Float64).contiguous());
            boxes = torch.empty(new long[] { n, 4 }, ScalarType.Int32);
            bp = Ptr<int>(boxes);
        }

        var rects = ArrayPool<int>.Shared.Rent(Math.Max(1, 4 * n));
        var cursor = ArrayPool<long>.Shared.Rent(tileCount + 1);
        try
        {
            Array.Clear(cursor, 0, tileCount + 1);
            long total = 0;
            for (int g = 0; g < n; g++)
            {
                int x0 = 0, x1 = 0, y0 = 0, y1 = 0;
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
                        var f = Footprint(g, mp, cp, ap, minAlpha, width, height, rp, bp);
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
                            // Two or more tiles each way: the ellipse can miss corner tiles of its box; count it per tile row.
                            for (int ty = y0; ty < y1; ty++)
                            {
                                var (lo, hi) = RowTiles(f, ty, x0, x1, tileSize, height);
                                for (int tx = lo; tx < hi; tx++) cursor[ty * tilesX + tx + 1]++;
                                total += hi - lo;
                            }
                            rects[4 * g] = x0; rects[4 * g + 1] = x1; rects[4 * g + 2] = y0; rects[4 * g + 3] = y1;
                            continue;
                        }
                    }
                    for (int ty = y0; ty < y1; ty++)
                        for (int tx = x0; tx < x1; tx++) cursor[ty * tilesX + tx + 1]++;
                    total += (long)(x1 - x0) * (y1 - y0);
                }
                else if (footprints)
                {
                    bp[4 * g] = 0; bp[4 * g + 1] = -1; bp[4 * g + 2] = 0; bp[4 * g + 3] = -1;
                }
                rects[4 * g] = x0; rects[4 * g + 1] = x1; rects[4 * g + 2] = y0; rects[4 * g + 3] = y1;
            }
            for (int t = 0; t < tileCount; t++) cursor[t + 1] += cursor[t];
            var offsets = torch.empty(tileCount + 1, ScalarType.Int64);
            new ReadOnlySpan<long>(cursor, 0, tileCount + 1).CopyTo(new Span<long>(Ptr<long>(offsets), tileCount + 1));
            var ids = torch.empty(total, ScalarType.Int64);
            long* ip = Ptr<long>(ids);
            for (int i = 0; i < n; i++)
            {
                int g = (int)op[i];
                int x0 = rects[4 * g], x1 = rects[4 * g + 1], y0 = rects[4 * g + 2], y1 = rects[4 * g + 3];
                if (footprints && x1 - x0 >= 2 && y1 - y0 >= 2)
                {
                    var f = Footprint(g, mp, cp, ap, minAlpha, width, height, null, null);
                    if (f.IsBounded)
                    {
                        for (int ty = y0; ty < y1; ty++)
                        {
                            var (lo, hi) = RowTiles(f, ty, x0, x1, tileSize, height);
                            for (int tx = lo; tx < hi; tx++) ip[cursor[ty * tilesX + tx]++] = g;
                        }
                        continue;
                    }
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
            ArrayPool<int>.Shared.Return(rects);
            ArrayPool<long>.Shared.Return(cursor);
        }
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
