using System.Numerics;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// <see cref="FramedSideBand"/> on a flat synthetic strip (a plane z = 0.03 m across x = -0.1..0.1 m, y = -0.04..0.05 m, in
/// front of the ears and below the brows of the 68 landmarks of <see cref="Landmarks3d"/>): |x| &gt;= 0.04 is the cheek-to-ear
/// band, the middle is not. The darker side's band replaces the other side's, whichever side it is; equal sides stay.
/// </summary>
public sealed class FramedSideBandTests
{
    private const int W = 80, H = 36;
    private static readonly Vector3 Hair = new(0.2f, 0.18f, 0.15f);
    private static readonly Vector3 Skin = new(0.85f, 0.7f, 0.6f);
    private static readonly Vector3 Fill = new(0.7f, 0.6f, 0.5f);
    private static readonly HeadColours Colours = new(Skin, Hair, 0.1f, Skin, HairFound: true);

    private static (TexelSurface Surface, SymmetricTexelMap Map) Strip()
    {
        var mesh = new TriangleMesh(new[] { -0.1f, -0.04f, 0.03f, 0.1f, -0.04f, 0.03f, 0.1f, 0.05f, 0.03f, -0.1f, 0.05f, 0.03f }, new[] { 0, 1, 2, 0, 2, 3 });
        var uv = new float[] { 0, 0, 1, 0, 1, 1, 0, 1 };
        var surface = TexelSurface.Build(mesh, mesh.VertexNormals(), uv, new[] { 0, 1, 2, 0, 2, 3 }, W, H);
        var mirror = new int[W * H];
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) mirror[y * W + x] = y * W + (W - 1 - x);
        return (surface, SymmetricTexelMap.FromIndices(mirror));
    }

    /// <summary>Direct observation: <paramref name="plusX"/> on x &gt; 0, <paramref name="minusX"/> on x &lt; 0, weight 0.5.</summary>
    private static TexelObservation Direct(Vector3 plusX, Vector3 minusX)
    {
        var colour = new RgbImage(W, H);
        var weight = new FloatImage(W, H);
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            colour[x, y] = x >= W / 2 ? plusX : minusX;
            weight[x, y] = 0.5f;
        }
        return new TexelObservation(colour, weight);
    }

    private static RgbImage Atlas()
    {
        var atlas = new RgbImage(W, H);
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) atlas[x, y] = Fill;
        return atlas;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_darker_sides_band_replaces_the_other_sides_whichever_side_it_is(bool darkOnPlusX)
    {
        var (surface, map) = Strip();
        var direct = darkOnPlusX ? Direct(Hair, Skin) : Direct(Skin, Hair);
        var atlas = Atlas();
        var regions = new HeadRegions(SyntheticFaceLandmarks.Metres(), new HeadTextureOptions());

        var result = FramedSideBand.Apply(atlas, direct, surface, map, regions, Colours, minDifference: 0.15);

        Assert.Equal(darkOnPlusX ? 1 : -1, result.MirroredSide);
        Assert.True(Math.Abs(result.DarknessLeft - result.DarknessRight) > 0.4, $"{result.DarknessLeft} / {result.DarknessRight}");
        Assert.NotNull(result.DirectScale);
        Assert.True(result.Texels > 0);
        var renderedDark = 0.5f * Hair + 0.5f * Fill;
        int checkedBand = 0;
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            int t = y * W + x;
            float px = surface.Points[3 * t];
            bool darkSide = darkOnPlusX ? px > 0 : px < 0;
            if (Math.Abs(px) >= 0.045f && !darkSide)
            {
                // The band of the pale side: the dark side's rendered colour, and no weight left to the pale portrait.
                Assert.True(Vector3.Distance(renderedDark, atlas[x, y]) < 1e-4f, $"texel ({x}, {y}): {atlas[x, y]}");
                Assert.Equal(0f, result.DirectScale![x, y], 4);
                checkedBand++;
            }
            else if (darkSide || Math.Abs(px) <= 0.015f)
            {
                // The framing side and the middle (in front of the eye corners' |x|) keep their colour and weight.
                Assert.Equal(Fill, atlas[x, y]);
                Assert.Equal(1f, result.DirectScale![x, y], 4);
            }
        }
        Assert.True(checkedBand > 200, $"{checkedBand} band texels checked");
    }

    [Fact]
    public void Equal_sides_are_left_as_they_are()
    {
        var (surface, map) = Strip();
        var atlas = Atlas();
        var regions = new HeadRegions(SyntheticFaceLandmarks.Metres(), new HeadTextureOptions());

        var result = FramedSideBand.Apply(atlas, Direct(Hair, Hair), surface, map, regions, Colours, minDifference: 0.15);

        Assert.Equal(0, result.MirroredSide);
        Assert.Null(result.DirectScale);
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) Assert.Equal(Fill, atlas[x, y]);
    }
}
