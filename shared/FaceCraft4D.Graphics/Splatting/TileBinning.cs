using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Assigns projected Gaussians to the screen tiles their radius rectangle overlaps and sorts every tile's list
/// by camera depth (tensor operations, no gradient; ties keep the input order).
/// </summary>
public static class TileBinning
{
    /// <summary>Builds the tile lists.</summary>
    /// <param name="means2d">Projected centres [N, 2] (pixels).</param>
    /// <param name="radii">Per-axis radii [N, 2] (0 = culled).</param>
    /// <param name="depths">Camera depths [N].</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <param name="tileSize">Tile edge in pixels.</param>
    public static TileBins Bin(Tensor means2d, Tensor radii, Tensor depths, int width, int height, int tileSize)
    {
        int tilesX = (width + tileSize - 1) / tileSize, tilesY = (height + tileSize - 1) / tileSize;
        long tileCount = (long)tilesX * tilesY;
        var device = means2d.device;
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long n = means2d.shape[0];

        var m = means2d.detach().to_type(ScalarType.Float64);
        var r = radii.to_type(ScalarType.Float64);
        var minX = torch.floor((m.select(1, 0) - r.select(1, 0)).DividedBy(tileSize)).Clamped(0, tilesX).to_type(ScalarType.Int64);
        var maxX = torch.ceil((m.select(1, 0).Plus(r.select(1, 0))).DividedBy(tileSize)).Clamped(0, tilesX).to_type(ScalarType.Int64);
        var minY = torch.floor((m.select(1, 1) - r.select(1, 1)).DividedBy(tileSize)).Clamped(0, tilesY).to_type(ScalarType.Int64);
        var maxY = torch.ceil((m.select(1, 1).Plus(r.select(1, 1))).DividedBy(tileSize)).Clamped(0, tilesY).to_type(ScalarType.Int64);
        var spanX = (maxX - minX).ClampedMin(0);
        var spanY = (maxY - minY).ClampedMin(0);
        var visible = radii.select(1, 0).IsGreaterThan(0).logical_and(radii.select(1, 1).IsGreaterThan(0));
        var counts = torch.where(visible, spanX * spanY, torch.zeros_like(spanX)); // [N]

        long total = n == 0 ? 0 : counts.sum().item<long>();
        Tensor ids, offsets;
        if (total == 0)
        {
            ids = torch.zeros(0, ScalarType.Int64, device);
            offsets = torch.zeros(tileCount + 1, ScalarType.Int64, device);
        }
        else
        {
            var gaussian = torch.repeat_interleave(HeldScalarOps.Arange(n, ScalarType.Int64, device), counts, output_size: total); // [M]
            var firstOfGaussian = torch.cumsum(counts, 0) - counts; // [N]
            var local = HeldScalarOps.Arange(total, ScalarType.Int64, device) - firstOfGaussian.index_select(0, gaussian);
            var w = spanX.index_select(0, gaussian);
            var tx = minX.index_select(0, gaussian).Plus(torch.remainder(local, w));
            var ty = minY.index_select(0, gaussian).Plus(torch.floor_divide(local, w));
            var tile = (ty.Times(tilesX).Plus(tx)).to_type(ScalarType.Int64); // [M]

            // Rank of each Gaussian in a stable depth sort (nearest first, ties by input index).
            var stableOrder = torch.sort(depths.detach(), 0, false, true).indices;
            var depthRank = torch.empty_like(stableOrder).scatter_(0, stableOrder, HeldScalarOps.Arange(n, ScalarType.Int64, device));

            var key = tile.Times(n).Plus(depthRank.index_select(0, gaussian));
            var order = torch.argsort(key, 0, false);
            ids = gaussian.index_select(0, order);
            var tileSorted = tile.index_select(0, order);
            var perTile = torch.bincount(tileSorted, null, tileCount);
            offsets = torch.cat(new[] { torch.zeros(1, ScalarType.Int64, device), torch.cumsum(perTile, 0) });
        }
        return new TileBins
        {
            GaussianIds = ids.MoveToOuterDisposeScope(),
            TileOffsets = offsets.MoveToOuterDisposeScope(),
            TilesX = tilesX,
            TilesY = tilesY,
            TileSize = tileSize,
            Width = width,
            Height = height,
        };
    }
}
