using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Tests;

/// <summary>
/// The SIMD CPU kernel against the reference backend (<see cref="RasterizerBackend.ManagedCpu"/>) on scenes that stress
/// its vector layout: many small Gaussians with a few large ones, image sizes that leave partial tiles and partial
/// 8-pixel vectors, and radius boxes that straddle vector and tile edges.
/// </summary>
public sealed class SimdCpuKernelTests
{
    [Theory]
    [InlineData(true, 16)]
    [InlineData(false, 16)]
    [InlineData(true, 8)]
    [InlineData(true, 32)]
    public void Many_small_and_a_few_large_gaussians_match_the_reference_backend(bool cpuSimd, int tileSize)
    {
        using var scope = torch.NewDisposeScope();
        var camera = TestScene.FrontCamera(75, 53);
        var (refImage, refGrads) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.ManagedCpu, TileSize = tileSize });
        var (image, grads) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.SimdCpu, CpuSimd = cpuSimd, TileSize = tileSize });
        BackendAgreement.AssertClose(refImage, refGrads, image, grads, "SimdCpu", gradientsMustNotVanish: true);
    }

    [Fact]
    public void Radius_boxes_straddling_vector_and_tile_edges_match_the_reference_backend()
    {
        using var scope = torch.NewDisposeScope();
        var camera = TestScene.FrontCamera(61, 45);
        var scene = MixedScene();
        var o = new GaussianRasterizer(new RasterizerOptions { Backend = RasterizerBackend.ManagedCpu }).Render(scene.Gaussians(), camera);
        var mx = o.Projection.Means2d.detach().select(1, 0).contiguous().data<float>().ToArray();
        var rx = o.Projection.Radii.select(1, 0).to_type(ScalarType.Int32).contiguous().data<int>().ToArray();
        // Boxes whose pixel range crosses an 8-pixel vector edge that is not a tile edge, and ones crossing a tile edge.
        int Crossing(int period, int phase) => mx.Zip(rx).Count(z => z.Second > 0 &&
            Enumerable.Range(1, 60 / period).Select(i => i * period + phase).Any(e => z.First - z.Second < e && z.First + z.Second > e && e < 61));
        Assert.True(Crossing(16, 8) > 20, "the scene should have boxes across 8-pixel vector edges inside tiles");
        Assert.True(Crossing(16, 0) > 20, "the scene should have boxes across tile edges");

        var (refImage, refGrads) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.ManagedCpu });
        var (image, grads) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.SimdCpu });
        BackendAgreement.AssertClose(refImage, refGrads, image, grads, "SimdCpu", gradientsMustNotVanish: true);
    }

    [Fact]
    public void Output_and_gradients_are_bit_identical_for_any_thread_count()
    {
        // Per-Gaussian records, tile loops and the gradient reduction are partitioned so that no sum depends on the split.
        using var scope = torch.NewDisposeScope();
        var camera = TestScene.FrontCamera(75, 53);
        var (image1, grads1) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.SimdCpu, CpuThreads = 1 });
        foreach (int threads in new[] { 2, 3, 7 })
        {
            var (image, grads) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.SimdCpu, CpuThreads = threads });
            Assert.Equal(image1, image);
            for (int i = 0; i < grads1.Length; i++) Assert.Equal(grads1[i], grads[i]);
        }
        Assert.Contains(grads1[0], g => g != 0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Alpha_footprint_culling_gives_the_same_bits(bool cpuSimd)
    {
        // Through the whole render: the binning's narrowed boxes reach the kernel's forward and (saved) backward.
        using var scope = torch.NewDisposeScope();
        var camera = TestScene.FrontCamera(75, 53);
        var (image0, grads0) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.SimdCpu, CpuSimd = cpuSimd });
        var (image1, grads1) = Render(MixedScene(), camera, new RasterizerOptions { Backend = RasterizerBackend.SimdCpu, CpuSimd = cpuSimd, CullByAlphaFootprint = true });
        Assert.Equal(image0, image1);
        for (int i = 0; i < grads0.Length; i++) Assert.Equal(grads0[i], grads1[i]);
        Assert.Contains(grads0[0], g => g != 0);
    }

    /// <summary>400 small Gaussians (5-15 mm) and 6 large ones (10-20 cm), float32.</summary>
    private static TestScene MixedScene()
    {
        var small = TestScene.Random(400, seed: 31, ScalarType.Float32, extent: 0.3, minScale: 0.005, maxScale: 0.015, minOpacity: 0.05, maxOpacity: 0.99);
        var large = TestScene.Random(6, seed: 32, ScalarType.Float32, extent: 0.2, minScale: 0.1, maxScale: 0.2, minOpacity: 0.3, maxOpacity: 0.9);
        Tensor Cat(Tensor a, Tensor b) => torch.cat(new[] { a.detach(), b.detach() }).requires_grad_();
        return new TestScene
        {
            Means = Cat(small.Means, large.Means), Quats = Cat(small.Quats, large.Quats), LogScales = Cat(small.LogScales, large.LogScales),
            OpacityLogits = Cat(small.OpacityLogits, large.OpacityLogits), Sh = Cat(small.Sh, large.Sh), Degree = small.Degree,
        };
    }

    private static (float[] Image, float[][] Grads) Render(TestScene scene, Cameras.Camera camera, RasterizerOptions options)
    {
        var o = new GaussianRasterizer(options).Render(scene.Gaussians(), camera);
        var target = HeldScalarOps.Hold(0.5f.ToScalar(), held => torch.full(new long[] { camera.Height, camera.Width, 3 }, held));
        (o.Image - target).abs().mean().Plus(o.Alpha.mean()).backward();
        return (o.Image.detach().contiguous().data<float>().ToArray(), scene.Parameters.Select(t => t.grad!.contiguous().data<float>().ToArray()).ToArray());
    }
}
