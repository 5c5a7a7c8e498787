using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// The alpha footprint (where a Gaussian's alpha can reach MinAlpha) used to drop tiles at binning and to narrow the SIMD
/// kernel's per-Gaussian boxes: checked against a brute force over every pixel with the kernel's own float32 sigma and
/// skip test, and the kernel's output with and without the dropped tiles compared bit for bit.
/// </summary>
public sealed class AlphaFootprintTests
{
    private const int Width = 83, Height = 61, TileSize = 16;
    private const double MinAlpha = 1.0 / 255.0;

    [Fact]
    public void Every_pixel_the_kernel_would_composite_stays_in_the_footprint_tiles_and_box()
    {
        using var scope = torch.NewDisposeScope();
        var s = Projected(2000, seed: 5);
        var full = ManagedTileBinning.Bin(s.Means, s.Radii, s.Depths, Width, Height, TileSize);
        var culled = ManagedTileBinning.Bin(s.Means, s.Radii, s.Depths, Width, Height, TileSize, s.Conics, s.Opacities, MinAlpha);
        var tiles = TileMembership(culled, s.N);

        float[] mu = s.Means.data<float>().ToArray(), con = s.Conics.data<float>().ToArray(), op = s.Opacities.data<float>().ToArray();
        int[] radii = s.Radii.data<int>().ToArray();
        Assert.NotNull(culled.PixelBoxes);
        int[] boxes = culled.PixelBoxes!.data<int>().ToArray();
        float logInv = (float)(-Math.Log(MinAlpha) + 1e-3);
        long reached = 0, margin = 0;
        for (int g = 0; g < s.N; g++)
        {
            int rx = radii[2 * g], ry = radii[2 * g + 1];
            if (rx <= 0 || ry <= 0) continue;
            float mxf = mu[2 * g], myf = mu[2 * g + 1], a = con[3 * g], b = con[3 * g + 1], c = con[3 * g + 2];
            float ha = 0.5f * a, hc = 0.5f * c, skip = MathF.Log(op[g]) + logInv;
            var footprint = new AlphaFootprint(mxf, myf, a, b, c, op[g], MinAlpha, Width + Height);
            var box = (X0: boxes[4 * g], X1: boxes[4 * g + 1], Y0: boxes[4 * g + 2], Y1: boxes[4 * g + 3]);
            // The radius box, as the kernels clip it.
            int x0 = Math.Max(0, (int)Math.Ceiling(mxf - rx - 0.5)), x1 = Math.Min(Width - 1, (int)Math.Floor(mxf + rx - 0.5));
            int y0 = Math.Max(0, (int)Math.Ceiling(myf - ry - 0.5)), y1 = Math.Min(Height - 1, (int)Math.Floor(myf + ry - 0.5));
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    // The kernel's float32 arithmetic, in tile-local coordinates.
                    int ox = x / TileSize * TileSize, oy = y / TileSize * TileSize;
                    float mx = mxf - ox, my = myf - oy;
                    float dy = (y - oy) + 0.5f - my;
                    float bdy = b * dy, cdy = hc * dy * dy;
                    float dx = ((x - ox) + 0.5f) - mx;
                    float sigma = dx * (ha * dx + bdy) + cdy;
                    if (!(sigma >= 0 && sigma <= skip)) continue;
                    reached++;
                    if (sigma > skip - 0.05f) margin++;
                    int tile = y / TileSize * culled.TilesX + x / TileSize;
                    if (!tiles[g * culled.TilesX * culled.TilesY + tile]) Assert.Fail($"Gaussian {g} reaches pixel ({x}, {y}) (sigma {sigma}, skip {skip}) but its tile {tile} was dropped");
                    if (footprint.IsEmpty) Assert.Fail($"Gaussian {g} reaches pixel ({x}, {y}) but its footprint is empty");
                    if (!(x >= box.X0 && x <= box.X1 && y >= box.Y0 && y <= box.Y1)) Assert.Fail($"Gaussian {g}: pixel ({x}, {y}) outside its narrowed pixel box {box}");
                }
        }
        Assert.True(reached > 100_000, $"the scene should reach many pixels ({reached})");
        Assert.True(margin > 1000, $"many pixels should lie near the skip threshold ({margin})");
        // The test drops a real share of the radius rectangles' tiles (fainter Gaussians reach less far).
        Assert.True(culled.IntersectionCount < 0.85 * full.IntersectionCount, $"{culled.IntersectionCount} of {full.IntersectionCount} intersections kept");
        AssertSubsequences(full, culled);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_simd_kernel_gives_the_same_bits_with_and_without_the_dropped_tiles(bool cpuSimd)
    {
        using var scope = torch.NewDisposeScope();
        var s = Projected(800, seed: 9);
        var gen = new torch.Generator(11);
        var features = torch.rand(new long[] { s.N, 4 }, generator: gen);
        var background = torch.tensor(new float[] { 0.2f, 0.4f, 0.6f, 0 });
        var options = new RasterizerOptions { Backend = RasterizerBackend.SimdCpu, CpuSimd = cpuSimd };
        var gradImage = torch.randn(new long[] { Height, Width, 4 }, generator: gen);
        var gradAlpha = torch.randn(new long[] { Height, Width }, generator: gen);

        (float[] Image, float[] Alpha, float[][] Grads) Run(TileBins bins)
        {
            var inputs = new CompositeInputs
            {
                Means2d = s.Means, Conics = s.Conics, Opacities = s.Opacities, Features = features, Background = background,
                Radii = s.Radii, Bins = bins, Options = options,
            };
            var kernel = new SimdCpuCompositorKernel();
            var (image, alpha, state) = kernel.Forward(inputs);
            var g = kernel.Backward(inputs, image, alpha, state, gradImage, gradAlpha);
            return (image.data<float>().ToArray(), alpha.data<float>().ToArray(),
                new[] { g.Means2d, g.Conics, g.Opacities, g.Features }.Select(t => t.contiguous().data<float>().ToArray()).ToArray());
        }

        var full = ManagedTileBinning.Bin(s.Means, s.Radii, s.Depths, Width, Height, TileSize);
        var culled = ManagedTileBinning.Bin(s.Means, s.Radii, s.Depths, Width, Height, TileSize, s.Conics, s.Opacities, MinAlpha);
        Assert.True(culled.IntersectionCount < full.IntersectionCount);
        var a = Run(full);
        var b = Run(culled);
        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.Alpha, b.Alpha);
        for (int i = 0; i < a.Grads.Length; i++) Assert.Equal(a.Grads[i], b.Grads[i]);
        Assert.Contains(a.Grads[0], v => v != 0);
    }

    [Fact]
    public void Footprint_binning_keeps_the_tiles_each_row_span_reaches_the_same_for_any_thread_count()
    {
        using var scope = torch.NewDisposeScope();
        // More than two of the binning's 2048-Gaussian blocks, so its per-Gaussian pass really runs in parallel.
        var s = Projected(5000, seed: 21);
        var bins = new[] { 1, 2, 3, 7 }.Select(threads =>
            ManagedTileBinning.Bin(s.Means, s.Radii, s.Depths, Width, Height, TileSize, s.Conics, s.Opacities, MinAlpha, threads)).ToArray();
        long[] ids = bins[0].GaussianIds.data<long>().ToArray(), offsets = bins[0].TileOffsets.data<long>().ToArray();
        int[] boxes = bins[0].PixelBoxes!.data<int>().ToArray();
        foreach (var other in bins.Skip(1))
        {
            Assert.Equal(ids, other.GaussianIds.data<long>().ToArray());
            Assert.Equal(offsets, other.TileOffsets.data<long>().ToArray());
            Assert.Equal(boxes, other.PixelBoxes!.data<int>().ToArray());
        }

        // Reference, tile by tile: the radius rectangle's tiles within the narrowed box's; for 2 x 2 tiles or more only
        // those whose rows the footprint reaches in the tile's columns; each list nearest first (stable).
        float[] mu = s.Means.data<float>().ToArray(), con = s.Conics.data<float>().ToArray(), op = s.Opacities.data<float>().ToArray();
        float[] depth = s.Depths.data<float>().ToArray();
        int[] radii = s.Radii.data<int>().ToArray();
        int tilesX = bins[0].TilesX, tilesY = bins[0].TilesY;
        var expected = Enumerable.Range(0, tilesX * tilesY).Select(_ => new List<long>()).ToArray();
        static int FloorDiv(int a, int b) => (int)Math.Floor(a / (double)b);
        foreach (int g in Enumerable.Range(0, s.N).OrderBy(g => depth[g]).ThenBy(g => g))
        {
            int rx = radii[2 * g], ry = radii[2 * g + 1];
            if (rx <= 0 || ry <= 0 || boxes[4 * g] > boxes[4 * g + 1] || boxes[4 * g + 2] > boxes[4 * g + 3]) continue;
            double mx = mu[2 * g], my = mu[2 * g + 1];
            int x0 = Math.Max((int)Math.Clamp(Math.Floor((mx - rx) / TileSize), 0, tilesX), FloorDiv(boxes[4 * g], TileSize));
            int x1 = Math.Min((int)Math.Clamp(Math.Ceiling((mx + rx) / TileSize), 0, tilesX), FloorDiv(boxes[4 * g + 1], TileSize) + 1);
            int y0 = Math.Max((int)Math.Clamp(Math.Floor((my - ry) / TileSize), 0, tilesY), FloorDiv(boxes[4 * g + 2], TileSize));
            int y1 = Math.Min((int)Math.Clamp(Math.Ceiling((my + ry) / TileSize), 0, tilesY), FloorDiv(boxes[4 * g + 3], TileSize) + 1);
            var f = new AlphaFootprint(mx, my, con[3 * g], con[3 * g + 1], con[3 * g + 2], op[g], MinAlpha, Width + Height);
            bool perRow = x1 - x0 >= 2 && y1 - y0 >= 2 && f.IsBounded;
            for (int ty = y0; ty < y1; ty++)
            {
                var (px0, px1) = f.PixelRangeOnRows(ty * TileSize + 0.5, Math.Min(ty * TileSize + TileSize, Height) - 0.5);
                for (int tx = x0; tx < x1; tx++)
                    if (!perRow || (px0 <= px1 && FloorDiv(px0, TileSize) <= tx && tx <= FloorDiv(px1, TileSize)))
                        expected[ty * tilesX + tx].Add(g);
            }
        }
        Assert.Equal(expected.SelectMany(l => l).ToArray(), ids);
        Assert.Equal(expected.Select(l => (long)l.Count), offsets.Skip(1).Zip(offsets, (b, a) => b - a));
        AssertSubsequences(ManagedTileBinning.Bin(s.Means, s.Radii, s.Depths, Width, Height, TileSize), bins[0]);
    }

    private sealed record Scene(int N, Tensor Means, Tensor Conics, Tensor Opacities, Tensor Radii, Tensor Depths);

    /// <summary>
    /// Projected Gaussians as the projection leaves them (float32): centres partly off-screen, covariances from 0.3 to 12
    /// pixels per axis at any angle (some very elongated) plus the 0.3 low-pass, opacities log-uniform in [1e-3, 1]
    /// (some below MinAlpha), radii ceil(3.33 sigma).
    /// </summary>
    private static Scene Projected(int n, int seed)
    {
        var rng = new Random(seed);
        var means = new float[2 * n]; var conics = new float[3 * n]; var op = new float[n]; var radii = new int[2 * n]; var depths = new float[n];
        for (int g = 0; g < n; g++)
        {
            means[2 * g] = (float)(rng.NextDouble() * (Width + 40) - 20);
            means[2 * g + 1] = (float)(rng.NextDouble() * (Height + 40) - 20);
            double s1 = Math.Exp(Math.Log(0.3) + rng.NextDouble() * Math.Log(40)), s2 = Math.Exp(Math.Log(0.3) + rng.NextDouble() * Math.Log(40));
            double th = rng.NextDouble() * Math.PI, cs = Math.Cos(th), sn = Math.Sin(th);
            double c00 = cs * cs * s1 * s1 + sn * sn * s2 * s2 + 0.3, c11 = sn * sn * s1 * s1 + cs * cs * s2 * s2 + 0.3;
            double c01 = cs * sn * (s1 * s1 - s2 * s2);
            double det = c00 * c11 - c01 * c01;
            conics[3 * g] = (float)(c11 / det); conics[3 * g + 1] = (float)(-c01 / det); conics[3 * g + 2] = (float)(c00 / det);
            op[g] = (float)Math.Exp(Math.Log(1e-3) * rng.NextDouble());
            int rx = (int)Math.Ceiling(3.33 * Math.Sqrt(c00)), ry = (int)Math.Ceiling(3.33 * Math.Sqrt(c11));
            bool onScreen = means[2 * g] + rx > 0 && means[2 * g] - rx < Width && means[2 * g + 1] + ry > 0 && means[2 * g + 1] - ry < Height;
            radii[2 * g] = onScreen ? rx : 0; radii[2 * g + 1] = onScreen ? ry : 0;
            depths[g] = (float)(1 + rng.NextDouble());
        }
        return new Scene(n, torch.tensor(means).reshape(n, 2), torch.tensor(conics).reshape(n, 3), torch.tensor(op),
            torch.tensor(radii).reshape(n, 2), torch.tensor(depths));
    }

    /// <summary>[g * tiles + t] = Gaussian g is in tile t's list.</summary>
    private static bool[] TileMembership(TileBins bins, int n)
    {
        int tiles = bins.TilesX * bins.TilesY;
        var member = new bool[n * tiles];
        var ids = bins.GaussianIds.data<long>().ToArray();
        var offsets = bins.TileOffsets.data<long>().ToArray();
        for (int t = 0; t < tiles; t++)
            for (long i = offsets[t]; i < offsets[t + 1]; i++) member[ids[i] * tiles + t] = true;
        return member;
    }

    /// <summary>Every culled tile list is the full list with some Gaussians left out, in the same order.</summary>
    private static void AssertSubsequences(TileBins full, TileBins culled)
    {
        var fi = full.GaussianIds.data<long>().ToArray(); var fo = full.TileOffsets.data<long>().ToArray();
        var ci = culled.GaussianIds.data<long>().ToArray(); var co = culled.TileOffsets.data<long>().ToArray();
        for (int t = 0; t + 1 < fo.Length; t++)
        {
            long j = co[t];
            for (long i = fo[t]; i < fo[t + 1] && j < co[t + 1]; i++)
                if (fi[i] == ci[j]) j++;
            Assert.True(j == co[t + 1], $"tile {t}: the culled list is not a subsequence of the full one");
        }
    }
}
