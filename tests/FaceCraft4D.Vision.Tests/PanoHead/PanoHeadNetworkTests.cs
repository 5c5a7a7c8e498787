using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Weights;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests.PanoHead;

/// <summary>The PanoHead port on a tiny random configuration: shapes, determinism, weights by official name, ops references.</summary>
[Collection(GlobalTorchRngCollection.Name)]
public sealed class PanoHeadNetworkTests(ITestOutputHelper output)
{
    private static readonly PanoHeadConfig Tiny = PanoHeadConfig.Tiny;

    private static TriGridGenerator Create(int seed)
    {
        torch.random.manual_seed(seed);
        var g = new TriGridGenerator(Tiny);
        // Upstream initialises noise strengths at zero; give them a value so noise handling is exercised.
        using (torch.no_grad())
            foreach (var (name, p) in g.named_parameters())
                if (name.EndsWith("noise_strength", StringComparison.Ordinal)) p.FilledWith(0.1);
        g.eval();
        return g;
    }

    private static Tensor FrontalLabel()
    {
        var camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Radius = 2.7, FovYDegrees = 13.37, Width = 32, Height = 32 }, 0);
        return torch.tensor(new PanoHeadFrame(Vector3d.Zero, 1).Label(camera)).unsqueeze(0);
    }

    [Fact]
    public void Synthesis_gives_the_documented_shapes_and_depth_inside_the_ray_range()
    {
        using var g = Create(1);
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(2, Tiny.ZDim, generator: new torch.Generator(3));
        var c = FrontalLabel().repeat(2, 1);
        var ws = g.Mapping(z, c);
        Assert.Equal(new long[] { 2, g.NumWs, Tiny.WDim }, ws.shape);
        var render = g.Synthesis(ws, c, generator: new torch.Generator(5));
        Assert.Equal(new long[] { 2, 3, Tiny.ImageResolution, Tiny.ImageResolution }, render.Image.shape);
        Assert.Equal(new long[] { 2, 3, Tiny.NeuralRenderingResolution, Tiny.NeuralRenderingResolution }, render.ImageRaw.shape);
        Assert.Equal(new long[] { 2, 1, Tiny.NeuralRenderingResolution, Tiny.NeuralRenderingResolution }, render.Depth.shape);
        Assert.Equal(render.Depth.shape, render.Mask.shape);
        Assert.True(render.Image.isfinite().all().item<bool>());
        Assert.InRange(render.Depth.min().item<float>(), Tiny.RayStart - 1e-4, Tiny.RayEnd + 1e-4);
        Assert.InRange(render.Depth.max().item<float>(), Tiny.RayStart - 1e-4, Tiny.RayEnd + 1e-4);
        Assert.InRange(render.Mask.min().item<float>(), -0.0011, 1.0011);
        output.WriteLine($"num_ws {g.NumWs}, parameters {g.parameters().Sum(p => p.numel())}, image std {render.Image.std().item<float>():F4}");
    }

    [Fact]
    public void Same_seeds_give_identical_renders_and_other_latents_differ()
    {
        using var a = Create(7);
        using var b = Create(7);
        using var scope = torch.NewDisposeScope();
        var c = FrontalLabel();
        var z1 = torch.randn(1, Tiny.ZDim, generator: new torch.Generator(11));
        var z2 = torch.randn(1, Tiny.ZDim, generator: new torch.Generator(12));
        var ra = a.Synthesis(a.Mapping(z1, c), c, generator: new torch.Generator(5));
        var rb = b.Synthesis(b.Mapping(z1, c), c, generator: new torch.Generator(5));
        Assert.Equal(0f, (ra.Image - rb.Image).abs().max().item<float>());
        Assert.Equal(0f, (ra.Depth - rb.Depth).abs().max().item<float>());
        var other = a.Synthesis(a.Mapping(z2, c), c, generator: new torch.Generator(5));
        Assert.True((ra.Image - other.Image).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void Weights_round_trip_by_their_official_names()
    {
        using var source = Create(21);
        var file = InMemorySafeTensors.FromStateDict(source, "panohead-test");
        var names = file.Names.ToHashSet();
        foreach (var expected in new[]
        {
            "backbone.mapping.fc0.weight", "backbone.mapping.fc1.bias", "backbone.mapping.embed.weight", "backbone.mapping.w_avg",
            "backbone.synthesis.b4.const", "backbone.synthesis.b4.conv1.affine.weight", "backbone.synthesis.b4.conv1.noise_const",
            "backbone.synthesis.b4.conv1.noise_strength", "backbone.synthesis.b8.conv0.weight", "backbone.synthesis.b8.resample_filter",
            "backbone.synthesis.b16.torgb.affine.bias", "superresolution.block0.conv0.weight", "superresolution.block1.torgb.weight",
            "decoder.net.0.weight", "decoder.net.2.bias", "torgb.affine.weight", "torgb.weight", "bcg_synthesis.b4.const",
            "bcg_synthesis.b8.conv1.bias", "t_mapping.fc0.weight", "t_mapping.fc1.weight", "t_mapping.embed.weight",
        })
            Assert.Contains(expected, names);
        // b16 has min(channel_base / 16, channel_max) = 4 channels; its ToRGB makes the 3 x C x D plane channels.
        Assert.Equal(new long[] { Tiny.TriplaneChannels * 3 * Tiny.TriplaneDepth, Math.Min(Tiny.ChannelBase / 16, Tiny.ChannelMax), 1, 1 }, file["backbone.synthesis.b16.torgb.weight"].Shape);

        using var target = Create(99);
        var report = StateDictLoader.Load(target, SafetensorsRoundTrip(file), "panohead");
        Assert.Equal(file.Names.Count(), report.LoadedKeys.Count);
        using var scope = torch.NewDisposeScope();
        var c = FrontalLabel();
        var z = torch.randn(1, Tiny.ZDim, generator: new torch.Generator(4));
        var expectedImage = source.Synthesis(source.Mapping(z, c), c, generator: new torch.Generator(8)).Image;
        var actualImage = target.Synthesis(target.Mapping(z, c), c, generator: new torch.Generator(8)).Image;
        Assert.Equal(0f, (expectedImage - actualImage).abs().max().item<float>());

        // Strict loading refuses a file with a missing tensor, naming it.
        var incomplete = new InMemorySafeTensors();
        foreach (var t in file.Tensors.Where(t => t.Name != "decoder.net.2.bias")) incomplete.Add(t);
        var e = Assert.Throws<WeightLoadException>(() => StateDictLoader.Load(target, incomplete, "panohead"));
        Assert.Contains("decoder.net.2.bias", e.Message);
    }

    private static InMemorySafeTensors SafetensorsRoundTrip(InMemorySafeTensors file) =>
        InMemorySafeTensors.FromArray(file.ToArray());

    [Fact]
    public void Transposed_convolution_fast_path_matches_zero_insertion_upsampling_then_convolution()
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(2);
        var x = torch.randn(new long[] { 2, 3, 5, 5 }, generator: gen);
        var w = torch.randn(new long[] { 4, 3, 3, 3 }, generator: gen);
        var f = StyleGanOps.SetupFilter(new double[] { 1, 3, 3, 1 });
        var fast = StyleGanOps.Conv2dResample(x, w, f, up: 2, padding: 1, flipWeight: false);
        // Reference: zero insertion + FIR (upfirdn2d with the combined padding), then a true convolution (flipped kernel).
        var padded = StyleGanOps.Upfirdn2d(x, f, up: 2, padding: (1 + 2, 1 + 1, 1 + 2, 1 + 1), gain: 4);
        var reference = torch.nn.functional.conv2d(padded, w.flip(2, 3));
        Assert.Equal(new long[] { 2, 4, 10, 10 }, fast.shape);
        Assert.Equal(reference.shape, fast.shape);
        Assert.True((fast - reference).abs().max().item<float>() < 1e-4, $"max diff {(fast - reference).abs().max().item<float>()}");

        // FIR upsampling keeps a constant image constant away from the border and the filter integrates to one.
        var ones = torch.ones(1, 1, 8, 8);
        var up = StyleGanOps.Upsample2d(ones, f);
        Assert.Equal(new long[] { 1, 1, 16, 16 }, up.shape);
        Assert.True(up[0, 0, 2..14, 2..14].Minus(1).abs().max().item<float>() < 1e-5);
        Assert.Equal(1f, f.sum().item<float>(), 5);
    }

    [Fact]
    public void Fused_modulated_convolution_matches_per_sample_modulation_and_demodulation()
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(6);
        var x = torch.randn(new long[] { 2, 3, 6, 6 }, generator: gen);
        var weight = torch.randn(new long[] { 5, 3, 3, 3 }, generator: gen);
        var styles = torch.randn(new long[] { 2, 3 }, generator: gen).Plus(1);
        var fused = StyleGanOps.ModulatedConv2d(x, weight, styles, padding: 1);
        for (int n = 0; n < 2; n++)
        {
            var w = weight * styles[n].reshape(1, 3, 1, 1);
            var d = w.Power(2).sum(new long[] { 1, 2, 3 }).Plus(1e-8).rsqrt().reshape(1, 5, 1, 1);
            var expected = torch.nn.functional.conv2d(x[n].unsqueeze(0), w, padding: new long[] { 1, 1 }) * d;
            Assert.True((fused[n].unsqueeze(0) - expected).abs().max().item<float>() < 1e-4);
        }
    }
}
