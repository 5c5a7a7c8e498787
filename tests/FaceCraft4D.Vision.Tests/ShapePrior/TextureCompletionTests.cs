using System.Numerics;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>The texture-space completion steps on synthetic atlases with known answers.</summary>
public sealed class TextureCompletionTests(ITestOutputHelper output)
{
    [Fact]
    public void Mirror_completion_fills_the_unseen_half_with_the_seen_half_mirrored()
    {
        const int w = 32, h = 16;
        var colour = new RgbImage(w, h);
        var weight = new FloatImage(w, h);
        var random = new Random(3);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w / 2; x++)
        {
            colour[x, y] = new Vector3(random.NextSingle(), random.NextSingle(), random.NextSingle());
            weight[x, y] = 1;
        }
        // A grazing band on the seen side's edge: half-confident texels blend with their mirror.
        for (int y = 0; y < h; y++) weight[w / 2 - 1, y] = 0.5f;
        var mirror = new int[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) mirror[y * w + x] = y * w + (w - 1 - x);

        var filled = MirrorCompletion.Fill(new TexelObservation(colour, weight), SymmetricTexelMap.FromIndices(mirror), symmetryWeight: 1);

        for (int y = 0; y < h; y++)
        for (int x = w / 2; x < w; x++)
        {
            var expected = colour[w - 1 - x, y];
            Assert.True(Vector3.Distance(filled.Colour[x, y], expected) < 1e-6f, $"texel ({x}, {y})");
            Assert.Equal(weight[w - 1 - x, y], filled.Weight[x, y], 6);
        }
        // The seen half is untouched where fully seen; the half-seen column is not changed either (its mirror is unseen).
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w / 2; x++)
            Assert.Equal(colour[x, y], filled.Colour[x, y]);
    }

    [Fact]
    public void Mirror_map_pairs_the_texels_of_a_symmetric_mesh()
    {
        // A vertical strip from x = -0.05 to 0.05 m, UV u = x mapped to [0, 1]: the mirror of texel x is texel W - 1 - x.
        var mesh = new TriangleMesh(new float[] { -0.05f, 0, 0.1f, 0.05f, 0, 0.1f, 0.05f, 0.05f, 0.1f, -0.05f, 0.05f, 0.1f }, new[] { 0, 1, 2, 0, 2, 3 });
        var normals = mesh.VertexNormals();
        var uv = new float[] { 0, 0, 1, 0, 1, 1, 0, 1 };
        var surface = TexelSurface.Build(mesh, normals, uv, new[] { 0, 1, 2, 0, 2, 3 }, 40, 20);
        var map = SymmetricTexelMap.Build(surface);
        int checkedTexels = 0;
        for (int y = 0; y < 20; y++)
        for (int x = 0; x < 40; x++)
        {
            int t = y * 40 + x;
            if (!surface.Covered[t]) continue;
            Assert.Equal(y * 40 + (39 - x), map.Mirror[t]);
            checkedTexels++;
        }
        Assert.Equal(800, checkedTexels);
    }

    [Fact]
    public void Patch_synthesis_copies_whole_source_blocks_and_keeps_the_periodic_texture()
    {
        // Exemplar: a periodic texture (period 6 across, 4 down) with random colours per cell of the period, on the left half.
        const int w = 96, h = 48, b = 8;
        var random = new Random(11);
        var cell = Enumerable.Range(0, 24).Select(_ => new Vector3(random.NextSingle(), random.NextSingle(), random.NextSingle())).ToArray();
        var image = new RgbImage(w, h);
        var source = new bool[w * h];
        var target = new bool[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            bool left = x < w / 2;
            image[x, y] = left ? cell[(y % 4) * 6 + x % 6] : Vector3.Zero;
            source[y * w + x] = left;
            target[y * w + x] = !left;
        }
        var result = ExemplarPatchSynthesis.Synthesize(image, source, target, source, new PatchSynthesisOptions { BlockSize = b, Border = 2, Candidates = 64, Overlap = 0, SourceErosion = 0, OutlierDeviations = 0 }, seed: 5);

        Assert.NotNull(result);
        Assert.Equal((w / 2 / b) * (h / b), result!.BlockOrigins.Count);
        foreach (var (x0, y0, sx, sy) in result.BlockOrigins)
        {
            // Every block is a verbatim copy of one block lying wholly in the source.
            Assert.True(sx >= 0 && sy >= 0 && sx + b <= w / 2 && sy + b <= h, $"source block ({sx}, {sy}) outside the exemplar");
            for (int dy = 0; dy < b; dy++)
            for (int dx = 0; dx < b; dx++)
                Assert.Equal(image[sx + dx, sy + dy], result.Image[x0 + dx, y0 + dy]);
        }
        // The periodic structure carries over: neighbouring blocks continue each other (the texture has period 6 x 4),
        // so the synthesised half equals the exemplar's texture shifted by one offset per connected run. Check the
        // statistics: every synthesised texel is one of the 24 cell colours, each used about as often as in the exemplar.
        var counts = new int[24];
        int seamBreaks = 0, seams = 0;
        for (int y = 0; y < h; y++)
        for (int x = w / 2; x < w; x++)
        {
            int k = Array.FindIndex(cell, c => c == result.Image[x, y]);
            Assert.True(k >= 0, $"texel ({x}, {y}) is not an exemplar colour");
            counts[k]++;
            if (x + 1 < w && (x + 1 - w / 2) % b == 0)
            {
                // Across a vertical block seam the periodic texture should continue (next column of the period).
                seams++;
                int kn = Array.FindIndex(cell, c => c == result.Image[x + 1, y]);
                if (kn / 6 != k / 6 || kn % 6 != (k % 6 + 1) % 6) seamBreaks++;
            }
        }
        double expected = (w / 2) * h / 24.0;
        output.WriteLine($"cell counts {string.Join(' ', counts)} (expected {expected:F0} each); seams broken {seamBreaks}/{seams}");
        Assert.All(counts, c => Assert.InRange(c, 0.6 * expected, 1.4 * expected));
        Assert.True(seamBreaks <= seams / 10, $"{seamBreaks} of {seams} seam texels break the period");
    }

    [Fact]
    public void Patch_synthesis_is_not_attempted_without_enough_exemplar()
    {
        var image = new RgbImage(20, 20);
        var source = new bool[400];
        for (int x = 0; x < 8; x++) for (int y = 0; y < 8; y++) source[y * 20 + x] = true;
        var target = source.Select(s => !s).ToArray();
        Assert.Null(ExemplarPatchSynthesis.Synthesize(image, source, target, source, new PatchSynthesisOptions { BlockSize = 8, MinimumSources = 4 }, 1));
    }

    [Fact]
    public void Neck_extension_is_continuous_at_the_seam_and_follows_the_seen_colour_per_height()
    {
        // A 64 x 48 "neck" atlas: columns 24..39 are seen (a colour that changes with height and a little across), the
        // rest is unseen and wraps around the back. Heights: row y is at 0.2 - 0.002 y metres.
        const int w = 64, h = 48;
        var colour = new RgbImage(w, h);
        var seeds = new bool[w * h];
        var domain = Enumerable.Repeat(true, w * h).ToArray();
        var heights = new float[w * h];
        Vector3 Seen(int x, int y) => new(0.3f + 0.01f * y, 0.2f + 0.003f * (x - 24), 0.5f - 0.005f * y);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            heights[y * w + x] = 0.2f - 0.002f * y;
            if (x < 24 || x >= 40) continue;
            seeds[y * w + x] = true;
            colour[x, y] = Seen(x, y);
        }
        var filled = NeckExtension.Extend(colour, seeds, domain, heights, bandHeight: 0.002f);

        float worstSeam = 0, worstInside = 0;
        for (int y = 0; y < h; y++)
        {
            // The texels next to the seen region continue it: they differ from their seen neighbour by no more than
            // the seen colours differ between neighbouring columns (plus a small relaxation allowance).
            worstSeam = Math.Max(worstSeam, Vector3.Distance(filled[23, y], filled[24, y]));
            worstSeam = Math.Max(worstSeam, Vector3.Distance(filled[40, y], filled[39, y]));
            for (int x = 24; x < 40; x++) worstInside = Math.Max(worstInside, Vector3.Distance(filled[x, y], Seen(x, y)));
            // Far from the seam (the back), the colour is the seen colour at the same height.
            var bandMean = Enumerable.Range(24, 16).Select(x => Seen(x, y)).Aggregate(Vector3.Zero, (a, c) => a + c) / 16;
            Assert.True(Vector3.Distance(filled[0, y], bandMean) < 0.03f, $"row {y}: back {filled[0, y]} vs band {bandMean}");
        }
        output.WriteLine($"largest step at the seam {worstSeam:F4}; seen texels changed by at most {worstInside:E1}");
        Assert.Equal(0f, worstInside);
        Assert.True(worstSeam < 0.02f, $"step {worstSeam} at the seam");
    }

    [Fact]
    public void Smooth_fill_keeps_known_texels_and_interpolates_a_linear_ramp()
    {
        // Known: the left and right columns of a linear ramp; the membrane between them is the same ramp.
        const int w = 33, h = 9;
        var colour = new RgbImage(w, h);
        var known = new bool[w * h];
        for (int y = 0; y < h; y++)
        {
            colour[0, y] = new Vector3(0, 0.2f, 1);
            colour[w - 1, y] = new Vector3(1, 0.2f, 0);
            known[y * w] = known[y * w + w - 1] = true;
        }
        var filled = SmoothFill.Fill(colour, known, Enumerable.Repeat(true, w * h).ToArray(), relaxIterations: 2000);
        float worst = 0;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            float t = x / (float)(w - 1);
            worst = Math.Max(worst, Vector3.Distance(filled[x, y], new Vector3(t, 0.2f, 1 - t)));
        }
        Assert.True(worst < 0.01f, $"largest deviation from the ramp {worst}");
    }
}
