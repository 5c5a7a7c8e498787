using System.Numerics;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// <see cref="PortraitHairLength"/> on a synthetic 256 px portrait: the 68 landmarks of <see cref="SyntheticFaceLandmarks"/>
/// drawn at 1 px per mm (row = 128 - 1000 y: brows at row 78, temples 108, mouth 168, chin 208), skin inside the jaw contour,
/// hair in a 40 px strip outside it from the brows down to a chosen row, a dark collar from row 215 down.
/// </summary>
public sealed class PortraitHairLengthTests
{
    private const int Size = 256;
    private static readonly Vector3 Hair = new(0.35f, 0.24f, 0.15f);
    private static readonly Vector3 Skin = new(0.85f, 0.7f, 0.6f);
    private static readonly Vector3 Collar = new(0.05f, 0.05f, 0.06f);
    private static readonly HeadColours Colours = new(Skin, Hair, 0.1f, Collar, HairFound: true);

    private static float[] Landmarks2d()
    {
        var metres = SyntheticFaceLandmarks.Metres();
        var pixels = new float[136];
        for (int i = 0; i < 68; i++)
        {
            pixels[2 * i] = Size / 2f + 1000 * metres[3 * i];
            pixels[2 * i + 1] = Size / 2f - 1000 * metres[3 * i + 1];
        }
        return pixels;
    }

    /// <summary>The portrait with hair beside the face down to <paramref name="hairEndRow"/> (exclusive; 0: no hair beside it).</summary>
    private static (RgbImage Crop, FloatImage Mask) Portrait(int hairEndRow)
    {
        var crop = new RgbImage(Size, Size);
        var mask = new FloatImage(Size, Size);
        for (int y = 0; y < Size; y++)
        {
            // Half-width of the jaw ellipse (x 70 mm, from y 0.02 down to -0.08) at this row; the temples' 70 above it.
            double h = (Size / 2.0 - y - 0.5) / 1000;
            double half = h >= 0.02 ? 70 : h <= -0.08 ? 0 : 70 * Math.Sqrt(1 - Math.Pow((0.02 - h) / 0.10, 2));
            for (int x = 0; x < Size; x++)
            {
                double d = Math.Abs(x + 0.5 - Size / 2.0);
                Vector3? c = null;
                if (y >= 215 && d < 100) c = Collar;
                else if (y >= 60 && d < half) c = Skin;
                else if (y >= 60 && y < 78 && d < 110) c = Hair;
                else if (y >= 78 && y < hairEndRow && d < Math.Max(half, 25) + 40) c = d < half ? Skin : Hair;
                else if (y >= 168 && d < 25) c = Skin; // the neck
                if (c is null) continue;
                crop[x, y] = c.Value;
                mask[x, y] = 1;
            }
        }
        return (crop, mask);
    }

    [Theory]
    [InlineData(200)] // a bob to the jaw
    [InlineData(100)] // short hair, above the temples' row
    public void The_hair_end_is_the_row_where_the_hair_beside_the_face_stops(int hairEndRow)
    {
        var (crop, mask) = Portrait(hairEndRow);
        var end = PortraitHairLength.Measure(crop, mask, Landmarks2d(), Colours, new HairLengthOptions());
        Assert.True(end.Found);
        Assert.InRange(end.LeftRow, hairEndRow - 2, hairEndRow + 1);
        Assert.InRange(end.RightRow, hairEndRow - 2, hairEndRow + 1);
    }

    [Fact]
    public void No_hair_beside_the_face_is_no_hair_end_and_the_collar_is_not_hair()
    {
        var (crop, mask) = Portrait(0);
        var end = PortraitHairLength.Measure(crop, mask, Landmarks2d(), Colours, new HairLengthOptions());
        Assert.False(end.Found);
    }

    [Fact]
    public void The_nape_line_is_the_hair_end_as_a_height_bounded_by_the_chin_and_the_mouth()
    {
        var landmarks3d = SyntheticFaceLandmarks.Metres();
        var regions = new HeadRegions(landmarks3d, new HeadTextureOptions());
        Assert.Equal(0.068, PortraitHairLength.RowToHeight(60, Landmarks2d(), landmarks3d), 4);
        var options = new HairLengthOptions { MaxBelowChin = 0.02 };
        // Row 198 (jaw): 0.07 m under the row 128 line, between the mouth (-0.04) and the chin (-0.08).
        Assert.Equal(-0.07f, PortraitHairLength.NapeHeight(198, Landmarks2d(), landmarks3d, regions, options), 3);
        Assert.Equal(-0.10f, PortraitHairLength.NapeHeight(250, Landmarks2d(), landmarks3d, regions, options), 3); // at most 2 cm under the chin
        Assert.Equal(regions.NapeHeight, PortraitHairLength.NapeHeight(100, Landmarks2d(), landmarks3d, regions, options), 3); // lower only
        options.LowerOnly = false;
        Assert.Equal(0.028f, PortraitHairLength.NapeHeight(100, Landmarks2d(), landmarks3d, regions, options), 3);
    }
}
