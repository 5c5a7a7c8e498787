using FaceCraft4D.Weights;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Tests.Perceptual;

/// <summary>
/// The one LPIPS network (metric, COIN loss, PanoHead inversion): the <c>lpips</c> package's names and shapes, the formula,
/// gradients to the images, and the strict loading of the one weights file. Upstream parity is in the Parity tests.
/// </summary>
[Collection(GlobalTorchRngCollection.Name)]
public sealed class LpipsNetworkTests
{
    private static readonly LpipsConfig TinyVgg = new(LpipsTrunkKind.Vgg16, [4, 6, 8, 8, 8]);
    private static readonly LpipsConfig TinyAlex = new(LpipsTrunkKind.AlexNet, [4, 6, 8, 6, 6]);

    private static LpipsNetwork Random(LpipsConfig config, int seed)
    {
        var n = new LpipsNetwork(config);
        ModuleRandomizer.Randomize(n.Trunk, seed);
        for (int k = 0; k < n.Heads.Count; k++) ModuleRandomizer.Randomize(n.Heads[k], seed + 1 + k);
        using (torch.no_grad())
            foreach (var head in n.Heads)
                foreach (var p in head.parameters()) p.abs_(); // the official heads are non-negative
        return n;
    }

    /// <summary>Smooth images [n, 3, h, w] in [−1, 1]: seeded noise at 1/8 resolution, bilinearly upsampled.</summary>
    private static Tensor Images(int seed, int n, int h, int w)
    {
        using var g = new Generator((ulong)seed, CPU);
        using var coarse = torch.rand(new long[] { n, 3, h / 8, w / 8 }, generator: g).Times(2).Minus(1);
        return nn.functional.interpolate(coarse, size: new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
    }

    [Theory]
    [InlineData(LpipsTrunkKind.Vgg16, 14_714_688)]
    [InlineData(LpipsTrunkKind.AlexNet, 2_469_696)]
    public void Official_network_has_the_lpips_package_names_shapes_and_parameter_count(LpipsTrunkKind kind, long trunkParameters)
    {
        using var n = new LpipsNetwork(LpipsConfig.Official(kind));
        var state = n.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var widths = LpipsConfig.Official(kind).Channels;
        var expected = new List<string> { "scaling_layer.shift", "scaling_layer.scale" };
        for (int s = 0; s < 5; s++)
            foreach (var i in LpipsTrunk.ConvIndices(kind, s))
                expected.AddRange([$"net.slice{s + 1}.{i}.weight", $"net.slice{s + 1}.{i}.bias"]);
        for (int k = 0; k < 5; k++) expected.Add($"lin{k}.model.1.weight");
        Assert.Equal(expected.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(trunkParameters, ParameterCounting.ParameterCount(n.Trunk));
        if (kind == LpipsTrunkKind.Vgg16) Assert.Equal(new long[] { 512, 512, 3, 3 }, state["net.slice5.28.weight"]);
        else Assert.Equal(new long[] { 64, 3, 11, 11 }, state["net.slice1.0.weight"]);
        for (int k = 0; k < 5; k++) Assert.Equal(new long[] { 1, widths[k], 1, 1 }, state[$"lin{k}.model.1.weight"]);
        Assert.Equal(new long[] { 1, 3, 1, 1 }, state["scaling_layer.shift"]);
    }

    [Theory]
    [InlineData(LpipsTrunkKind.Vgg16)]
    [InlineData(LpipsTrunkKind.AlexNet)]
    public void Zero_for_identical_images_symmetric_positive_otherwise_and_the_sum_of_its_layers(LpipsTrunkKind kind)
    {
        using var n = Random(kind == LpipsTrunkKind.Vgg16 ? TinyVgg : TinyAlex, 3);
        using var scope = torch.NewDisposeScope();
        var x = Images(1, 2, 64, 64);
        var y = x.Plus(Images(2, 2, 64, 64).Times(0.2)).Clamped(-1, 1);
        var taps = n.Trunk.forward(x);
        for (int k = 0; k < 5; k++) Assert.Equal(n.Config.Channels[k], taps[k].shape[1]);
        var same = n.Distance(x, x);
        var d = n.Distance(x, y);
        var back = n.Distance(y, x);
        Assert.Equal(new long[] { 2 }, d.shape);
        Assert.True(same.abs().max().item<float>() < 1e-6);
        Assert.True(d.min().item<float>() > 0);
        Assert.True(d.allclose(back, rtol: 1e-5, atol: 1e-7));
        using var result = n.Compare(x, y);
        Assert.Equal(new long[] { 2, 1, 1, 1 }, result.Distance.shape);
        var sum = result.Layers.Aggregate((a, b) => a.Plus(b));
        Assert.True(sum.allclose(result.Distance, rtol: 1e-6, atol: 0));
        // [0, 1] inputs with normalize give the same as their [−1, 1] images
        Assert.True(n.Distance(x.Plus(1).DividedBy(2), y.Plus(1).DividedBy(2), normalize: true).allclose(d, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void Heads_of_ones_give_the_sum_of_mean_squared_unit_feature_differences()
    {
        using var n = Random(TinyVgg, 5);
        using (torch.no_grad())
            foreach (var head in n.Heads)
                foreach (var p in head.parameters()) p.FilledWith(1);
        using var scope = torch.NewDisposeScope();
        var x = Images(6, 1, 48, 48);
        var y = Images(7, 1, 48, 48);
        // independent float64 restatement of LPIPS v0.1 for heads w = 1
        Tensor Prep(Tensor t) => (t.to(float64) - torch.tensor(new[] { -0.030, -0.088, -0.188 }, float64).reshape(1, 3, 1, 1))
                                 / torch.tensor(new[] { 0.458, 0.448, 0.450 }, float64).reshape(1, 3, 1, 1);
        n.Trunk.to(float64);
        var fx = n.Trunk.forward(Prep(x));
        var fy = n.Trunk.forward(Prep(y));
        double expected = 0;
        for (int k = 0; k < 5; k++)
        {
            var ux = fx[k] / (fx[k].Power(2).sum(1, keepdim: true).sqrt().Plus(1e-10));
            var uy = fy[k] / (fy[k].Power(2).sum(1, keepdim: true).sqrt().Plus(1e-10));
            expected += (ux - uy).Power(2).sum(1).mean().item<double>();
        }
        n.Trunk.to(float32);
        Assert.Equal(expected, n.Distance(x, y).item<float>(), 4);

        // lpips=False (no heads: the channel sum) is the same number
        using var baseline = new LpipsNetwork(TinyVgg with { LinearHeads = false });
        baseline.Trunk.load_state_dict(n.Trunk.state_dict());
        Assert.DoesNotContain(baseline.state_dict().Keys, key => key.StartsWith("lin", StringComparison.Ordinal));
        Assert.Equal(expected, baseline.Distance(x, y).item<float>(), 4);
    }

    [Fact]
    public void Gradients_reach_the_image_through_the_frozen_network()
    {
        using var n = Random(TinyVgg, 11);
        foreach (var p in n.parameters()) p.requires_grad = false;
        using var scope = torch.NewDisposeScope();
        var target = Images(12, 1, 32, 32);
        var image = Images(13, 1, 32, 32).requires_grad_(true);
        var loss = n.Distance(image, target).mean();
        loss.backward();
        Assert.NotNull(image.grad);
        Assert.True(image.grad!.abs().sum().item<float>() > 0);
        Assert.All(n.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void Spatial_maps_have_the_input_size_and_the_full_resolution_layer_averages_to_its_scalar()
    {
        using var n = Random(TinyVgg, 21);
        using var spatial = new LpipsNetwork(TinyVgg with { Spatial = true });
        spatial.load_state_dict(n.state_dict());
        using var scope = torch.NewDisposeScope();
        var x = Images(22, 1, 32, 40);
        var y = Images(23, 1, 32, 40);
        using var scalar = n.Compare(x, y);
        using var map = spatial.Compare(x, y);
        Assert.Equal(new long[] { 1, 1, 32, 40 }, map.Distance.shape);
        Assert.All(map.Layers, l => Assert.Equal(new long[] { 1, 1, 32, 40 }, l.shape));
        // VGG's first tap is at the input resolution, so its upsampling is the identity
        Assert.Equal(scalar.Layers[0].item<float>(), map.Layers[0].mean().item<float>(), 6);
    }

    [Theory]
    [InlineData(LpipsTrunkKind.Vgg16)]
    [InlineData(LpipsTrunkKind.AlexNet)]
    public void The_one_weights_file_round_trips_with_its_configuration_read_from_the_keys(LpipsTrunkKind kind)
    {
        var config = kind == LpipsTrunkKind.Vgg16 ? TinyVgg : TinyAlex;
        using var original = Random(config, 8);
        var file = InMemorySafeTensors.FromStateDict(original);
        using var loaded = LpipsWeights.Load(file);
        Assert.Equal(kind, loaded.Config.Trunk);
        Assert.Equal(config.Channels, loaded.Config.Channels);
        Assert.True(loaded.Config is { LinearHeads: true, HeadDropout: true, ScalesInputs: true, Spatial: false });
        using var scope = torch.NewDisposeScope();
        var x = Images(9, 1, 64, 64);
        var y = Images(10, 1, 64, 64);
        Assert.Equal(original.Distance(x, y).item<float>(), loaded.Distance(x, y).item<float>());
    }

    [Fact]
    public void Upstreams_lins_aliases_load_and_must_agree_with_the_heads()
    {
        using var original = Random(TinyVgg, 14);
        // LPIPS(net='vgg').state_dict() lists each head twice: lin{k}.model.1.weight and lins.{k}.model.1.weight
        var both = InMemorySafeTensors.FromStateDict(original);
        foreach (var (name, tensor) in original.state_dict().Where(kv => kv.Key.StartsWith("lin", StringComparison.Ordinal)))
            both.Add("lins." + name["lin".Length..], tensor);
        using (var loaded = LpipsWeights.Load(both))
            Assert.Equal(original.Heads[3].parameters().Single().data<float>().ToArray(), loaded.Heads[3].parameters().Single().data<float>().ToArray());

        // only the aliases: they load as the heads
        var aliasesOnly = new InMemorySafeTensors();
        foreach (var t in both.Tensors.Where(t => !t.Name.StartsWith("lin", StringComparison.Ordinal) || t.Name.StartsWith("lins.", StringComparison.Ordinal)))
            aliasesOnly.Add(t);
        using (var loaded = LpipsWeights.Load(aliasesOnly))
            Assert.Equal(5, loaded.Heads.Count);

        // an alias that disagrees with its head is an error, not a silent choice
        using var other = torch.ones(1, 8, 1, 1);
        both.Add("lins.4.model.1.weight", other);
        var ex = Assert.Throws<InvalidDataException>(() => LpipsWeights.Load(both));
        Assert.Contains("lins.4.model.1.weight", ex.Message);
    }

    [Fact]
    public void Loading_is_strict_and_names_what_is_wrong()
    {
        using var original = Random(TinyVgg, 15);
        var noLin4 = new InMemorySafeTensors();
        foreach (var t in InMemorySafeTensors.FromStateDict(original).Tensors.Where(t => !t.Name.StartsWith("lin4", StringComparison.Ordinal))) noLin4.Add(t);
        Assert.Contains("lin4.model.1.weight", Assert.Throws<WeightLoadException>(() => LpipsWeights.Load(noLin4, TinyVgg)).Message);

        var extra = InMemorySafeTensors.FromStateDict(original);
        extra.Add("net.slice5.30.weight", torch.zeros(2));
        Assert.Contains("net.slice5.30.weight", Assert.Throws<WeightLoadException>(() => LpipsWeights.Load(extra)).Message);

        // a plain torchvision checkpoint is not the LPIPS layout
        var torchvision = new InMemorySafeTensors();
        torchvision.Add("features.0.weight", torch.zeros(4, 3, 3, 3));
        Assert.Contains("LPIPS(net='vgg')", Assert.Throws<InvalidDataException>(() => LpipsWeights.Load(torchvision)).Message);
    }

    [Fact]
    public void Heads_without_dropout_are_named_model_0()
    {
        using var n = new LpipsNetwork(TinyAlex with { HeadDropout = false });
        Assert.Contains("lin2.model.0.weight", n.state_dict().Keys);
        using var loaded = LpipsWeights.Load(InMemorySafeTensors.FromStateDict(n));
        Assert.False(loaded.Config.HeadDropout);
    }
}
