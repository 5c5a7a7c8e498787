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
/// The count and the scatter run in parallel over fixed chunks of the depth order.
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
    /// <param name="threads">Worker threads (0 = all processors); the lists do not depend on it.</param>
    public static TileBins Bin(Tensor means2d, Tensor radii, Tensor depths, int width, int height, int tileSize, int threads = 0)
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

        // The depth order is cut into a fixed number of chunks (not one per thread): each chunk counts and scatters its own
        // Gaussians in parallel, at cursors that put its entries after those of the chunks before it in every tile, so the
        // lists are those of one sequential pass whatever the thread count.
        int chunks = n == 0 ? 1 : Math.Min(BinChunks, n);
        var rects = ArrayPool<int>.Shared.Rent(Math.Max(1, 4 * n));
        var cursor = ArrayPool<long>.Shared.Rent(chunks * tileCount);
        try
        {
            Array.Clear(cursor, 0, chunks * tileCount);
            nint mpP = (nint)mp, rpP = (nint)rp, opP = (nint)op;
            var parallelism = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
            Parallel.For(0, chunks, parallelism, c =>
            {
                double* mq = (double*)mpP; int* rq = (int*)rpP; long* oq = (long*)opP;
                var counts = new Span<long>(cursor, c * tileCount, tileCount);
                for (long i = (long)c * n / chunks, end = (long)(c + 1) * n / chunks; i < end; i++)
                {
                    int g = (int)oq[i];
                    int x0 = 0, x1 = 0, y0 = 0, y1 = 0;
                    int rx = rq[2 * g], ry = rq[2 * g + 1];
                    if (rx > 0 && ry > 0)
                    {
                        double mx = mq[2 * g], my = mq[2 * g + 1];
                        x0 = ClampTile(Math.Floor((mx - rx) / tileSize), tilesX); x1 = ClampTile(Math.Ceiling((mx + rx) / tileSize), tilesX);
                        y0 = ClampTile(Math.Floor((my - ry) / tileSize), tilesY); y1 = ClampTile(Math.Ceiling((my + ry) / tileSize), tilesY);
                        if (x1 < x0) x1 = x0;
                        if (y1 < y0) y1 = y0;
                        for (int ty = y0; ty < y1; ty++)
                            for (int tx = x0; tx < x1; tx++) counts[ty * tilesX + tx]++;
                    }
                    rects[4 * g] = x0; rects[4 * g + 1] = x1; rects[4 * g + 2] = y0; rects[4 * g + 3] = y1;
                }
            });
            // Counts -> cursors: tile by tile, chunk by chunk.
            var offsets = torch.empty(tileCount + 1, ScalarType.Int64);
            long* offp = Ptr<long>(offsets);
            long running = 0;
            for (int t = 0; t < tileCount; t++)
            {
                offp[t] = running;
                for (int c = 0; c < chunks; c++)
                {
                    long count = cursor[c * tileCount + t];
                    cursor[c * tileCount + t] = running;
                    running += count;
                }
            }
            offp[tileCount] = running;
            var ids = torch.empty(running, ScalarType.Int64);
            nint ipP = (nint)Ptr<long>(ids);
            Parallel.For(0, chunks, parallelism, c =>
            {
                long* ip = (long*)ipP, oq = (long*)opP;
                var cur = new Span<long>(cursor, c * tileCount, tileCount);
                for (long i = (long)c * n / chunks, end = (long)(c + 1) * n / chunks; i < end; i++)
                {
                    int g = (int)oq[i];
                    int x0 = rects[4 * g], x1 = rects[4 * g + 1], y0 = rects[4 * g + 2], y1 = rects[4 * g + 3];
                    for (int ty = y0; ty < y1; ty++)
                        for (int tx = x0; tx < x1; tx++) ip[cur[ty * tilesX + tx]++] = g;
                }
            });
            return new TileBins
            {
                GaussianIds = ids.MoveToOuterDisposeScope(),
                TileOffsets = offsets.MoveToOuterDisposeScope(),
                TilesX = tilesX, TilesY = tilesY, TileSize = tileSize, Width = width, Height = height,
            };
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rects);
            ArrayPool<long>.Shared.Return(cursor);
        }
    }

    /// <summary>Chunks of the depth order binned in parallel (fixed, so the lists do not depend on the thread count).</summary>
    private const int BinChunks = 8;

    private static int ClampTile(double v, int max) => (int)Math.Clamp(v, 0, max);

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged =>
        t.numel() == 0 ? null : (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
