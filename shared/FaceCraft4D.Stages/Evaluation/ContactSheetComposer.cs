using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// Lays out an avatar's contact sheet: the input photo, then one render per <see cref="ContactSheetView"/>, in one row
/// of square tiles on a white background, separated by <see cref="Gap"/> pixels. No text is drawn (the image library
/// carries no font); <see cref="Layout"/> gives the tile rectangles so a sidecar can name them.
/// </summary>
public sealed class ContactSheetComposer(int tileSize, int gap = 8)
{
    /// <summary>Edge of each square tile, pixels.</summary>
    public int TileSize { get; } = tileSize > 0 ? tileSize : throw new ArgumentOutOfRangeException(nameof(tileSize), "tile size must be positive");

    /// <summary>Pixels between tiles and around the row.</summary>
    public int Gap { get; } = gap >= 0 ? gap : throw new ArgumentOutOfRangeException(nameof(gap), "gap must be non-negative");

    /// <summary>The tile rectangles of a sheet with <paramref name="renderCount"/> renders (the input photo first).</summary>
    public IReadOnlyList<Rectangle> Layout(int renderCount) =>
        Enumerable.Range(0, renderCount + 1).Select(i => new Rectangle(Gap + i * (TileSize + Gap), Gap, TileSize, TileSize)).ToList();

    /// <summary>
    /// Composes the sheet. The input photo is fitted into its tile preserving aspect (padded white); renders are
    /// resized to the tile. Inputs are not modified. Result: width (n+1)·(T+gap)+gap, height T+2·gap.
    /// </summary>
    public Image<Rgb24> Compose(Image<Rgb24> input, IReadOnlyList<Image<Rgb24>> renders)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(renders);
        var tiles = Layout(renders.Count);
        var sheet = new Image<Rgb24>(tiles[^1].Right + Gap, TileSize + 2 * Gap, Color.White.ToPixel<Rgb24>());
        using (var fitted = input.Clone(x => x.Resize(new ResizeOptions
               {
                   Size = new Size(TileSize, TileSize), Mode = ResizeMode.Pad, PadColor = Color.White,
               })))
        {
            sheet.Mutate(x => x.DrawImage(fitted, new Point(tiles[0].X, tiles[0].Y), 1f));
        }

        for (var i = 0; i < renders.Count; i++)
        {
            using var tile = renders[i].Clone(x => x.Resize(TileSize, TileSize));
            var at = tiles[i + 1];
            sheet.Mutate(x => x.DrawImage(tile, new Point(at.X, at.Y), 1f));
        }

        return sheet;
    }
}
