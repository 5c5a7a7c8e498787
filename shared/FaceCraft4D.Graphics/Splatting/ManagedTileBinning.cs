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
    public static TileBins Bin(Tensor means2d, Tensor radii, Tensor depths, int width, int height, int tileSize)
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
                    for (int ty = y0; ty < y1; ty++)
                        for (int tx = x0; tx < x1; tx++) cursor[ty * tilesX + tx + 1]++;
                    total += (long)(x1 - x0) * (y1 - y0);
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
                for (int ty = y0; ty < y1; ty++)
                    for (int tx = x0; tx < x1; tx++) ip[cursor[ty * tilesX + tx]++] = g;
            }
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

    private static int ClampTile(double v, int max) => (int)Math.Clamp(v, 0, max);

    private static TP* Ptr<TP>(Tensor t) where TP : unmanaged =>
        t.numel() == 0 ? null : (TP*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
