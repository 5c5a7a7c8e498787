using System.Numerics;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>The hair exemplar synthesis: which exemplar texels it copies, how its blocks meet, its determinism.</summary>
public sealed class HairSynthesisTests(ITestOutputHelper output)
{
    private const int W = 96, H = 64;

    /// <summary>A hair-like exemplar on the left half (vertical strands of luminance 0.45-0.6), the right half to synthesise.</summary>
    private static (RgbImage Image, bool[] Source, bool[] Target) Exemplar(int seed)
    {
        var random = new Random(seed);
        var strand = Enumerable.Range(0, W).Select(_ => 0.45f + 0.15f * random.NextSingle()).ToArray();
        var image = new RgbImage(W, H);
        var source = new bool[W * H];
        var target = new bool[W * H];
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
        {
            bool left = x < W / 2;
            float l = strand[x] + 0.04f * (random.NextSingle() - 0.5f);
            image[x, y] = left ? new Vector3(1.1f * l, l, 0.7f * l) : Vector3.Zero;
            source[y * W + x] = left;
            target[y * W + x] = !left;
        }
        return (image, source, target);
    }

    [Fact]
    public void Source_selection_drops_planted_dark_patches_and_none_of_them_is_copied()
    {
        var (image, source, target) = Exemplar(3);
        // Dark patches (a shadow at the hair edge, a brow) planted inside the exemplar.
        var planted = new bool[W * H];
        foreach (var (px, py) in new[] { (6, 8), (22, 30), (12, 48), (34 - 10, 10) })
            for (int y = py; y < py + 6; y++)
            for (int x = px; x < px + 6; x++)
            {
                image[x, y] = new Vector3(0.06f, 0.05f, 0.04f);
                planted[y * W + x] = true;
            }
        var options = new PatchSynthesisOptions { BlockSize = 8, Overlap = 2, Border = 2, Candidates = 64, SourceErosion = 1 };

        var kept = ExemplarSourceSelection.Select(image, source, options);
        Assert.DoesNotContain(Enumerable.Range(0, W * H), t => planted[t] && kept[t]);
        int clean = 0, cleanKept = 0;
        for (int y = 4; y < H - 4; y++)
        for (int x = 4; x < W / 2 - 4; x++)
        {
            // Texels well away from the patches and the region's edge stay exemplar.
            bool near = false;
            for (int dy = -4; dy <= 4 && !near; dy++)
            for (int dx = -4; dx <= 4 && !near; dx++) near = planted[(y + dy) * W + x + dx];
            if (near) continue;
            clean++;
            if (kept[y * W + x]) cleanKept++;
        }
        output.WriteLine($"kept {cleanKept} of {clean} clean texels");
        Assert.True(cleanKept >= 0.95 * clean, $"only {cleanKept} of {clean} clean texels kept");

        var result = ExemplarPatchSynthesis.Synthesize(image, source, target, source, options, seed: 2);
        Assert.NotNull(result);
        float darkest = float.MaxValue;
        for (int t = 0; t < W * H; t++)
            if (target[t]) darkest = Math.Min(darkest, result!.Image[t % W, t / W].Y);
        output.WriteLine($"darkest synthesised texel {darkest}");
        Assert.True(darkest > 0.4f, $"a dark texel ({darkest}) was copied");

        // The outlier test is what drops them: without it the patches stay exemplar.
        var all = ExemplarSourceSelection.Select(image, source, new PatchSynthesisOptions { SourceErosion = 1, OutlierDeviations = 0 });
        Assert.Contains(Enumerable.Range(0, W * H), t => planted[t] && all[t]);
    }

    [Fact]
    public void Feathered_overlaps_lower_the_seam_error_of_a_periodic_texture()
    {
        // A periodic texture (period 7 x 5) of random colours, with a little noise per texel so no copy continues another exactly.
        var random = new Random(17);
        var cell = Enumerable.Range(0, 35).Select(_ => new Vector3(random.NextSingle(), random.NextSingle(), random.NextSingle())).ToArray();
        var (image, source, target) = Exemplar(5);
        for (int y = 0; y < H; y++)
        for (int x = 0; x < W / 2; x++)
            image[x, y] = cell[(y % 5) * 7 + x % 7] + 0.05f * new Vector3(random.NextSingle(), random.NextSingle(), random.NextSingle());
        const int b = 8;
        double SeamRatio(int overlap)
        {
            var options = new PatchSynthesisOptions { BlockSize = b, Overlap = overlap, Border = 2, Candidates = 8, SourceErosion = 0, OutlierDeviations = 0 };
            var result = ExemplarPatchSynthesis.Synthesize(image, source, target, source, options, seed: 9)!;
            double seam = 0, inner = 0;
            int ns = 0, ni = 0;
            for (int y = 0; y < H; y++)
            for (int x = W / 2; x + 1 < W; x++)
            {
                double d = Vector3.DistanceSquared(result.Image[x, y], result.Image[x + 1, y]);
                if ((x + 1) % b == 0) { seam += d; ns++; }
            }
            for (int y = 0; y < H; y++)
            for (int x = 0; x + 1 < W / 2; x++)
            {
                inner += Vector3.DistanceSquared(image[x, y], image[x + 1, y]);
                ni++;
            }
            return seam / ns / (inner / ni);
        }
        double plain = SeamRatio(0), blended = SeamRatio(3);
        output.WriteLine($"seam error relative to the exemplar's neighbour differences: plain {plain:F3}, feathered {blended:F3}");
        Assert.True(plain > 1.05, $"plain copying left no seams to measure ({plain:F3})");
        Assert.True(blended < 0.8 * plain, $"feathered {blended:F3} vs plain {plain:F3}");
    }

    [Fact]
    public void Synthesis_is_deterministic_per_seed()
    {
        var (image, source, target) = Exemplar(7);
        var options = new PatchSynthesisOptions { BlockSize = 8, Overlap = 2 };
        var a = ExemplarPatchSynthesis.Synthesize(image, source, target, source, options, seed: 4)!;
        var b = ExemplarPatchSynthesis.Synthesize(image, source, target, source, options, seed: 4)!;
        var c = ExemplarPatchSynthesis.Synthesize(image, source, target, source, options, seed: 5)!;
        Assert.Equal(a.BlockOrigins, b.BlockOrigins);
        Assert.Equal(a.Image.Data, b.Image.Data);
        Assert.NotEqual(a.BlockOrigins, c.BlockOrigins);
    }

    [Fact]
    public void Small_exemplars_fall_back_to_smaller_blocks()
    {
        var (image, source, target) = Exemplar(1);
        // Only a 20-texel-wide strip of exemplar: too narrow for 16 + 2 x 4 windows, enough for 8 + 2 x 4.
        for (int t = 0; t < W * H; t++) source[t] &= t % W < 20;
        var result = ExemplarPatchSynthesis.Synthesize(image, source, target, source,
            new PatchSynthesisOptions { BlockSize = 16, Overlap = 4, SourceErosion = 0, OutlierDeviations = 0, MinimumBlockSize = 8 }, seed: 1);
        Assert.NotNull(result);
        Assert.Equal(8, result!.BlockSize);
    }
}
