using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>Analytic, independent-reference, invariance and finite-difference checks of the rasterizer.</summary>
public sealed class RasterizerReferenceTests
{
    /// <summary>Every compositing backend; the SIMD CPU kernel also with its forced one-lane scalar path (CPUs without vectors).</summary>
    public static IEnumerable<object[]> Backends => new[]
    {
        new object[] { RasterizerBackend.ManagedCpu, true }, new object[] { RasterizerBackend.TensorOps, true },
        new object[] { RasterizerBackend.SimdCpu, true }, new object[] { RasterizerBackend.SimdCpu, false },
    };

    [Theory]
    [MemberData(nameof(Backends))]
    public void Single_isotropic_gaussian_renders_the_analytic_footprint(RasterizerBackend backend, bool cpuSimd)
    {
        using var scope = torch.NewDisposeScope();
        const int w = 48, h = 40;
        const double f = 80, z = 2.5, s = 0.05, opacity = 0.7;
        double cx = 23.3, cy = 19.6; // principal point off the pixel grid
        var camera = new Camera(new CameraIntrinsics(w, h, f, f, cx, cy), CameraExtrinsics.Identity);
        var rgb = new[] { 0.9, 0.4, 0.1 };
        var bg = new[] { 0.2, 0.3, 0.5 };
        var gaussians = new SplatGaussians
        {
            Means = torch.tensor(new[] { 0.0, 0.0, z }, new long[] { 1, 3 }, ScalarType.Float64),
            Quaternions = torch.tensor(new[] { 1.0, 0, 0, 0 }, new long[] { 1, 4 }, ScalarType.Float64),
            Scales = HeldScalarOps.Hold(s.ToScalar(), held => torch.full(new long[] { 1, 3 }, held, ScalarType.Float64)),
            Opacities = torch.tensor(new[] { opacity }, ScalarType.Float64),
            Colors = torch.tensor(rgb, new long[] { 1, 3 }, ScalarType.Float64),
        };
        var output = new GaussianRasterizer(new RasterizerOptions { Backend = backend, CpuSimd = cpuSimd, TileSize = 8 })
            .Render(gaussians, camera, torch.tensor(bg, ScalarType.Float64));
        var image = output.Image.contiguous().data<double>().ToArray();
        var alpha = output.Alpha.contiguous().data<double>().ToArray();

        double var2d = Math.Pow(f * s / z, 2) + 0.3; // EWA: (f s / z)^2 plus the low-pass dilation
        double radius = Math.Ceiling(3.33 * Math.Sqrt(var2d));
        int lit = 0;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            double a = opacity * Math.Exp(-0.5 * (dx * dx + dy * dy) / var2d);
            if (a < 1.0 / 255 || Math.Abs(dx) > radius + 16 || Math.Abs(dy) > radius + 16) a = 0;
            if (a > 0) lit++;
            int p = y * w + x;
            Assert.True(Math.Abs(alpha[p] - a) < 1e-10, $"alpha at ({x},{y}): {alpha[p]} vs analytic {a}");
            for (int c = 0; c < 3; c++)
                Assert.True(Math.Abs(image[p * 3 + c] - (a * rgb[c] + (1 - a) * bg[c])) < 1e-10, $"image at ({x},{y},{c})");
        }
        Assert.True(lit > 50, "the footprint should cover many pixels");
        var depth = output.Depth.contiguous().data<double>().ToArray();
        int centre = (int)cy * w + (int)cx;
        Assert.Equal(alpha[centre] * z, depth[centre], 10);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Tiled_compositing_matches_an_untiled_per_pixel_reference_including_the_transmittance_stop(RasterizerBackend backend, bool cpuSimd)
    {
        using var scope = torch.NewDisposeScope();
        // Dense, nearly opaque Gaussians so that many pixels stop early (T would fall under 1e-4).
        var scene = TestScene.Random(150, seed: 11, ScalarType.Float64, extent: 0.25, minScale: 0.03, maxScale: 0.1, minOpacity: 0.9, maxOpacity: 0.999, degree: 1);
        var camera = TestScene.FrontCamera(45, 37);
        var bg = torch.tensor(new[] { 0.1, 0.6, 0.3 }, ScalarType.Float64);
        var output = new GaussianRasterizer(new RasterizerOptions { Backend = backend, CpuSimd = cpuSimd, ChunkSize = 5 }).Render(scene.Gaussians(), camera, bg);
        var p = output.Projection;
        var (image, alpha) = NaiveSplatReference.Composite(45, 37,
            p.Means2d.detach().contiguous().data<double>().ToArray(), p.Conics.detach().contiguous().data<double>().ToArray(),
            torch.sigmoid(scene.OpacityLogits).detach().data<double>().ToArray(), output.Colors.detach().contiguous().data<double>().ToArray(), 3,
            p.Depths.detach().contiguous().data<double>().ToArray(), p.Radii.data<int>().ToArray(), new[] { 0.1, 0.6, 0.3 });
        AssertArrays(image, output.Image, 1e-9, "image");
        AssertArrays(alpha, output.Alpha, 1e-9, "alpha");
        Assert.True(alpha.Count(a => a > 1 - 2e-4) > 20, "scene should make some pixels reach the transmittance stop");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Rendering_is_invariant_to_the_order_of_the_gaussians(RasterizerBackend backend, bool cpuSimd)
    {
        using var scope = torch.NewDisposeScope();
        var scene = TestScene.Random(120, seed: 5, ScalarType.Float32);
        var camera = TestScene.FrontCamera(64, 48);
        var rasterizer = new GaussianRasterizer(new RasterizerOptions { Backend = backend, CpuSimd = cpuSimd });
        var perm = Enumerable.Range(0, 120).Select(i => (long)((i * 37 + 11) % 120)).ToArray();
        var permuted = scene.Permuted(perm);

        var a = rasterizer.Render(scene.Gaussians(), camera);
        var b = rasterizer.Render(permuted.Gaussians(), camera);
        AssertArrays(a.Image.detach().contiguous().data<float>().Select(v => (double)v).ToArray(), b.Image, 1e-6, "image");
        AssertArrays(a.Alpha.detach().contiguous().data<float>().Select(v => (double)v).ToArray(), b.Alpha, 1e-6, "alpha");

        a.Image.sum().Plus(a.Depth.sum()).backward();
        b.Image.sum().Plus(b.Depth.sum()).backward();
        var p = torch.tensor(perm, ScalarType.Int64);
        foreach (var (x, y) in scene.Parameters.Zip(permuted.Parameters))
        {
            var expected = x.grad!.index_select(0, p);
            Assert.True(torch.allclose(expected, y.grad!, rtol: 1e-4, atol: 1e-5), "gradients must follow the permutation");
        }
    }

    public static IEnumerable<object[]> GradientCases()
    {
        foreach (var b in Backends)
        {
            yield return new object[] { b[0], b[1], false };
            yield return new object[] { b[0], b[1], true };
        }
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Autograd_gradients_match_central_finite_differences_in_float64(RasterizerBackend backend, bool cpuSimd, bool precomputedColors)
    {
        using var scope = torch.NewDisposeScope();
        var scene = TestScene.Random(7, seed: 3, ScalarType.Float64, extent: 0.2, minScale: 0.04, maxScale: 0.12, minOpacity: 0.3, maxOpacity: 0.95, degree: 3);
        var colors = (torch.rand(new long[] { 7, 3 }, ScalarType.Float64, generator: new torch.Generator(9))).requires_grad_();
        var camera = TestScene.FrontCamera(26, 22, fovY: 35);
        var rasterizer = new GaussianRasterizer(new RasterizerOptions { Backend = backend, CpuSimd = cpuSimd, TileSize = 8, ChunkSize = 3 });
        var gen = new torch.Generator(17);
        var wImage = torch.randn(new long[] { 22, 26, 3 }, ScalarType.Float64, generator: gen);
        var wAlpha = torch.randn(new long[] { 22, 26 }, ScalarType.Float64, generator: gen);
        var wDepth = torch.randn(new long[] { 22, 26 }, ScalarType.Float64, generator: gen);
        var bg = torch.tensor(new[] { 0.3, 0.2, 0.7 }, ScalarType.Float64);

        Tensor Loss()
        {
            var g = scene.Gaussians();
            if (precomputedColors) g = new SplatGaussians { Means = g.Means, Quaternions = g.Quaternions, Scales = g.Scales, Opacities = g.Opacities, Colors = colors };
            var o = rasterizer.Render(g, camera, bg);
            return (o.Image * wImage).sum().Plus((o.Alpha * wAlpha).sum()).Plus((o.Depth * wDepth).sum());
        }

        Loss().backward();
        var groups = new List<(string Name, Tensor P)>
        {
            ("means", scene.Means), ("quaternions", scene.Quats), ("log scales", scene.LogScales), ("opacity logits", scene.OpacityLogits),
            precomputedColors ? ("colors", colors) : ("sh", scene.Sh),
        };
        const double eps = 1e-6;
        foreach (var (name, p) in groups)
        {
            var analytic = p.grad!.contiguous().data<double>().ToArray();
            Assert.Contains(analytic, v => Math.Abs(v) > 1e-6);
            var flat = p.detach().view(-1);
            for (int i = 0; i < analytic.Length; i++)
            {
                double numeric;
                using (torch.no_grad())
                {
                    double orig = flat[i].item<double>();
                    flat[i] = orig + eps;
                    double plus = Loss().item<double>();
                    flat[i] = orig - eps;
                    double minus = Loss().item<double>();
                    flat[i] = orig;
                    numeric = (plus - minus) / (2 * eps);
                }
                double err = Math.Abs(numeric - analytic[i]);
                Assert.True(err <= 1e-6 + 1e-5 * Math.Abs(numeric), $"{name}[{i}]: autograd {analytic[i]:G10} vs finite difference {numeric:G10}");
            }
        }
    }

    [Fact]
    public void All_backends_agree_on_images_and_gradients_in_float32()
    {
        using var scope = torch.NewDisposeScope();
        var camera = TestScene.FrontCamera(70, 50);
        var results = new List<(float[] Image, float[][] Grads)>();
        foreach (var b in Backends)
        {
            var scene = TestScene.Random(300, seed: 21, ScalarType.Float32, minOpacity: 0.3, maxOpacity: 0.99);
            // Small MaxChunkElements: the tensor backend processes 5 tiles at a time.
            var options = new RasterizerOptions { Backend = (RasterizerBackend)b[0], CpuSimd = (bool)b[1], ChunkSize = 16, MaxChunkElements = 256 * 16 * 5 };
            var o = new GaussianRasterizer(options).Render(scene.Gaussians(), camera);
            var target = HeldScalarOps.Hold(0.5f.ToScalar(), held => torch.full(new long[] { 50, 70, 3 }, held));
            (o.Image - target).abs().mean().backward();
            results.Add((o.Image.detach().contiguous().data<float>().ToArray(), scene.Parameters.Select(t => t.grad!.contiguous().data<float>().ToArray()).ToArray()));
        }
        var a = results[0];
        foreach (var (b, i) in results.Skip(1).Select((r, i) => (r, i + 1)))
            BackendAgreement.AssertClose(a.Image, a.Grads, b.Image, b.Grads, $"backend case {i}");
    }

    [Fact]
    public void Managed_tile_binning_builds_the_same_lists_as_the_tensor_binning()
    {
        using var scope = torch.NewDisposeScope();
        var scene = TestScene.Random(400, seed: 8, ScalarType.Float32, extent: 0.35, minScale: 0.005, maxScale: 0.1);
        var camera = TestScene.FrontCamera(83, 61);
        var o = new RasterizerOptions { TileSize = 16 };
        var g = scene.Gaussians();
        var p = GaussianProjection.Project(g.Means, g.Quaternions, g.Scales, camera, o);
        // Equal depths for some Gaussians: ties must keep the input order in both.
        var depths = p.Depths.detach().clone();
        depths.narrow(0, 0, 40).FilledWith(1.5f);
        var expected = TileBinning.Bin(p.Means2d, p.Radii, depths, 83, 61, 16);
        var actual = ManagedTileBinning.Bin(p.Means2d, p.Radii, depths, 83, 61, 16);
        Assert.True(expected.IntersectionCount > 400, "the scene should overlap many tiles");
        Assert.Equal(expected.TileOffsets.data<long>().ToArray(), actual.TileOffsets.data<long>().ToArray());
        Assert.Equal(expected.GaussianIds.data<long>().ToArray(), actual.GaussianIds.data<long>().ToArray());
    }

    private static void AssertArrays(double[] expected, Tensor actual, double tol, string what)
    {
        var a = actual.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        Assert.Equal(expected.Length, a.Length);
        double worst = 0; int at = 0;
        for (int i = 0; i < a.Length; i++) { double e = Math.Abs(a[i] - expected[i]); if (e > worst) { worst = e; at = i; } }
        Assert.True(worst <= tol, $"{what}: max difference {worst:E3} at {at} ({expected[at]} vs {a[at]})");
    }
}
