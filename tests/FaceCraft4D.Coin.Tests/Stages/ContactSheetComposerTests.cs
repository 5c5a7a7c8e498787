using FaceCraft4D.Stages.Evaluation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace FaceCraft4D.Coin.Tests.Stages;

public sealed class ContactSheetComposerTests
{
    [Fact]
    public void Standard_views_are_0_plus_minus_30_plus_minus_60_and_180_in_tile_order()
    {
        Assert.Equal([0d, 30, -30, 60, -60, 180], ContactSheetView.Standard.Select(v => v.YawDegrees));
        Assert.Equal(ContactSheetView.Standard.Count, ContactSheetView.Standard.Select(v => v.Name).Distinct().Count());
    }

    [Fact]
    public void Compose_places_the_input_then_each_render_in_its_own_tile_on_white()
    {
        var composer = new ContactSheetComposer(tileSize: 16, gap: 4);
        using var input = new Image<Rgb24>(32, 16, new Rgb24(10, 20, 30)); // wide: padded to 16x8 centred in its tile
        var colours = new[] { new Rgb24(255, 0, 0), new Rgb24(0, 255, 0), new Rgb24(0, 0, 255) };
        var renders = colours.Select(c => new Image<Rgb24>(8, 8, c)).ToList(); // smaller than the tile: resized up
        try
        {
            using var sheet = composer.Compose(input, renders);

            Assert.Equal(4 + 4 * (16 + 4), sheet.Width);
            Assert.Equal(16 + 2 * 4, sheet.Height);
            var tiles = composer.Layout(renders.Count);
            Assert.Equal(4, tiles.Count);
            Assert.Equal(new Rectangle(4, 4, 16, 16), tiles[0]);
            Assert.Equal(new Rectangle(4 + 3 * 20, 4, 16, 16), tiles[3]);
            for (var i = 0; i < colours.Length; i++)
            {
                var t = tiles[i + 1];
                Assert.Equal(colours[i], sheet[t.X, t.Y]);
                Assert.Equal(colours[i], sheet[t.Right - 1, t.Bottom - 1]);
                Assert.Equal(new Rgb24(255, 255, 255), sheet[t.X - 1, t.Y + 8]); // gap stays white
            }

            // The input keeps its 2:1 aspect: its tile's top and bottom quarter are white padding, the middle is the photo.
            Assert.Equal(new Rgb24(255, 255, 255), sheet[tiles[0].X + 8, tiles[0].Y + 1]);
            Assert.Equal(new Rgb24(10, 20, 30), sheet[tiles[0].X + 8, tiles[0].Y + 8]);
            Assert.Equal(new Rgb24(255, 255, 255), sheet[tiles[0].X + 8, tiles[0].Bottom - 2]);
            Assert.Equal(8, renders[0].Width); // inputs untouched
        }
        finally
        {
            foreach (var r in renders) r.Dispose();
        }
    }

    [Fact]
    public void Tile_size_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContactSheetComposer(0));
}
