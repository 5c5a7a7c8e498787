using System.Numerics;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// <see cref="CoveredNeck"/>: a turtleneck under the chin switches the neck extension to the clothing-coloured seeds, so the
/// unseen neck above the collar takes the collar's colour, not the chin's skin; a bare neck, or the switch off, changes nothing.
/// </summary>
public sealed class CoveredNeckTests
{
    private static readonly Vector3 Skin = new(0.85f, 0.7f, 0.6f);
    private static readonly Vector3 Collar = new(0.06f, 0.05f, 0.05f);
    private static readonly Vector3 Hair = new(0.4f, 0.3f, 0.2f);

    [Fact]
    public void Only_a_clothing_coloured_neck_sample_with_the_switch_on_counts_as_covered()
    {
        var on = new HeadTextureOptions { NeckFromClothing = true };
        Assert.True(CoveredNeck.Applies(new HeadColours(Skin, Hair, 0.1f, Collar, true), on));
        Assert.False(CoveredNeck.Applies(new HeadColours(Skin, Hair, 0.1f, Skin * 0.9f, true), on)); // a bare neck in shadow
        Assert.False(CoveredNeck.Applies(new HeadColours(Skin, Hair, 0.1f, Collar, true), new HeadTextureOptions()));
    }

    [Fact]
    public void The_unseen_neck_above_the_collar_takes_the_collar_colour_from_clothing_seeds()
    {
        // A 32 x 24 neck atlas, row y at height 0.1 - 0.002 y: the front columns 12..19 are seen, skin (the chin's underside)
        // in rows 0..7, the collar below; the rest wraps around the back unseen.
        const int w = 32, h = 24;
        var colours = new HeadColours(Skin, Hair, 0.1f, Collar, true);
        var colour = new RgbImage(w, h);
        var seeds = new bool[w * h];
        var heights = new float[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            heights[y * w + x] = 0.1f - 0.002f * y;
            if (x < 12 || x >= 20) continue;
            colour[x, y] = y < 8 ? Skin : Collar;
            seeds[y * w + x] = CoveredNeck.IsClothing(colour[x, y], colours);
        }
        var domain = Enumerable.Repeat(true, w * h).ToArray();
        var filled = NeckExtension.Extend(colour, seeds, domain, heights, bandHeight: 0.002f, smoothing: 0);
        for (int y = 0; y < h; y++) Assert.True(Vector3.Distance(filled[0, y], Collar) < 0.02f, $"row {y}: back {filled[0, y]}");
    }

    [Fact]
    public void A_covered_neck_is_told_apart_from_a_bare_one_without_the_neck_switch()
    {
        var options = new HeadTextureOptions { ClothedNape = true };
        Assert.True(CoveredNeck.IsCovered(new HeadColours(Skin, Hair, 0.1f, Collar, true), options));
        Assert.False(CoveredNeck.IsCovered(new HeadColours(Skin, Hair, 0.1f, Skin * 0.9f, true), options));
    }

    [Fact]
    public void With_the_uniformity_gate_a_mixed_neck_sample_far_from_the_skin_is_not_covered()
    {
        // A turtleneck: one colour under the chin. A mixture (shaded skin, white collar, dark tie): its median is far from
        // the skin too, but a third of its samples lie near it.
        var turtleneck = Enumerable.Repeat(Collar, 90).Concat(Enumerable.Repeat(new Vector3(0.3f, 0.25f, 0.2f), 10)).ToList();
        var mixture = Enumerable.Repeat(Skin * 0.6f, 40).Concat(Enumerable.Repeat(new Vector3(0.9f, 0.9f, 0.92f), 30))
            .Concat(Enumerable.Repeat(Collar, 30)).ToList();
        var mixtureMedian = new Vector3(0.51f, 0.42f, 0.36f); // the per-channel median of the mixture
        float tUniform = HeadColourStatistics.Uniformity(turtleneck, Collar, HeadColourStatistics.NeckUniformRadius);
        float mUniform = HeadColourStatistics.Uniformity(mixture, mixtureMedian, HeadColourStatistics.NeckUniformRadius);
        Assert.Equal(0.9f, tUniform, 1e-6f);
        Assert.True(mUniform < 0.5f, $"mixture uniformity {mUniform}");

        var gated = new HeadTextureOptions { ClothedNape = true, NeckClothingMinUniformity = 0.6, NeckClothingMinDistance = 0.2 };
        var ungated = new HeadTextureOptions { ClothedNape = true, NeckClothingMinDistance = 0.2 };
        var covered = new HeadColours(Skin, Hair, 0.1f, Collar, true, NeckUniformity: tUniform);
        var mixed = new HeadColours(Skin, Hair, 0.1f, mixtureMedian, true, NeckUniformity: mUniform);
        Assert.True(CoveredNeck.IsCovered(covered, gated));
        Assert.True(CoveredNeck.IsCovered(mixed, ungated)); // s30's test: the median alone is far from the skin
        Assert.False(CoveredNeck.IsCovered(mixed, gated));
    }

    [Fact]
    public void The_clothed_nape_takes_the_collar_colour_behind_the_ears_and_keeps_the_front()
    {
        // Three texels: in front of the ears (0), half way (0.5), fully behind (1); the fill is the chin's skin everywhere.
        var fill = RgbImage.Filled(3, 1, Skin);
        ClothedNape.Blend(fill, [0f, 0.5f, 1f], Collar);
        Assert.True(Vector3.Distance(fill[0, 0], Skin) < 1e-6f);
        Assert.True(Vector3.Distance(fill[1, 0], (Skin + Collar) / 2) < 1e-5f);
        Assert.True(Vector3.Distance(fill[2, 0], Collar) < 1e-6f);
    }
}
