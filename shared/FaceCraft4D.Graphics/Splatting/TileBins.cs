using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Splatting;

/// <summary>
/// Per-tile depth-sorted lists of intersecting Gaussians (CSR layout): the Gaussians of tile t
/// (row-major over tiles) are <c>GaussianIds[TileOffsets[t] .. TileOffsets[t+1])</c>, nearest first.
/// </summary>
public sealed class TileBins
{
    /// <summary>Gaussian index per intersection [M] (int64), grouped by tile, sorted by depth inside a tile.</summary>
    public required Tensor GaussianIds { get; init; }

    /// <summary>Start of each tile's list plus the total at the end [TilesX * TilesY + 1] (int64).</summary>
    public required Tensor TileOffsets { get; init; }

    /// <summary>Tiles per row.</summary>
    public required int TilesX { get; init; }

    /// <summary>Tiles per column.</summary>
    public required int TilesY { get; init; }

    /// <summary>Tile edge in pixels.</summary>
    public required int TileSize { get; init; }

    /// <summary>Image width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Image height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>
    /// Optional per-Gaussian pixel boxes [N, 4] int32 (x0, x1, y0, y1, inclusive; empty when x0 &gt; x1): the radius box
    /// narrowed to the <see cref="AlphaFootprint"/>'s box, set by <see cref="ManagedTileBinning"/> when it drops tiles by
    /// footprint; the SIMD CPU kernel then limits each Gaussian to it (null: the radius box).
    /// </summary>
    public Tensor? PixelBoxes { get; init; }

    /// <summary>Number of tile-Gaussian intersections.</summary>
    public long IntersectionCount => GaussianIds.shape[0];
}
