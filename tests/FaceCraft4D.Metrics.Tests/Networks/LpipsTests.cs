using FaceCraft4D.Metrics.Lpips;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Priors;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Networks;

public class LpipsTests
{
    private static readonly LpipsConfig TinyVgg = new(LpipsTrunkKind.Vgg16, [4, 6, 8, 8, 8]);
    private static readonly LpipsConfig TinyAlex = new(LpipsTrunkKind.AlexNet, [4, 6, 8, 6, 6]);

    private static LpipsNetwork Random(LpipsConfig config, int seed)
    {
        var n = new LpipsNetwork(config);
        ModuleRandomizer.Randomize(n.Trunk, seed);
        ModuleRandomizer.Randomize(n.Heads, seed + 1);
        using (torch.no_grad())
            foreach (var (_, p) in n.Heads.named_parameters()) p.abs_(); // the official heads are non-negative
        return n;
    }

    [Theory]
    [InlineData(LpipsTrunkKind.Vgg16, 14_714_688)]
    [InlineData(LpipsTrunkKind.AlexNet, 2_469_696)]
    public void OfficialTrunk_HasTorchvisionNamesShapesAndParameterCount(LpipsTrunkKind kind, long expectedParameters)
    {
        using var n = new LpipsNetwork(LpipsConfig.Official(kind));
        var trunk = ParameterCounting.StateShapes(n.Trunk).ToDictionary(s => s.Name, s => s.Shape);
        int[] convs = kind == LpipsTrunkKind.Vgg16 ? [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28] : [0, 3, 6, 8, 10];
        Assert.Equal(convs.SelectMany(i => new[] { $"features.{i}.weight", $"features.{i}.bias" }).OrderBy(k => k, StringComparer.Ordinal),
            trunk.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(expectedParameters, ParameterCounting.ParameterCount(n.Trunk));
        if (kind == LpipsTrunkKind.Vgg16) Assert.Equal(new long[] { 512, 512, 3, 3 }, trunk["features.28.weight"]);
        else Assert.Equal(new long[] { 64, 3, 11, 11 }, trunk["features.0.weight"]);

        var heads = ParameterCounting.StateShapes(n.Heads).ToDictionary(s => s.Name, s => s.Shape);
        var widths = LpipsConfig.Official(kind).Channels;
        Assert.Equal(Enumerable.Range(0, 5).Select(k => $"lin{k}.model.1.weight"), heads.Keys.OrderBy(k => k, StringComparer.Ordinal));
        for (int k = 0; k < 5; k++) Assert.Equal(new long[] { 1, widths[k], 1, 1 }, heads[$"lin{k}.model.1.weight"]);
    }

    [Theory]
    [InlineData(LpipsTrunkKind.Vgg16)]
    [InlineData(LpipsTrunkKind.AlexNet)]
    public void TinyNetwork_RunsForward_ZeroForIdentical_SymmetricAndPositiveOtherwise(LpipsTrunkKind kind)
    {
        using var n = Random(kind == LpipsTrunkKind.Vgg16 ? TinyVgg : TinyAlex, 3);
        using var x = TestImages.Texture(1, 2, 64, 64);
        using var y0 = TestImages.WithNoise(x, 0.1, 2);
        using var y = y0.clamp(0, 1);
        using (var scope = torch.NewDisposeScope())
        {
            var taps = n.Trunk.forward(x);
            Assert.Equal(5, taps.Length);
            for (int k = 0; k < 5; k++) Assert.Equal(n.Config.Channels[k], taps[k].shape[1]);
        }
        using var same = n.Distance(x, x);
        using var d = n.Distance(x, y);
        using var back = n.Distance(y, x);
        Assert.Equal(new long[] { 2 }, d.shape);
        Assert.True(same.abs().max().item<float>() < 1e-6);
        Assert.True(d.min().item<float>() > 0);
        Assert.True(d.allclose(back, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void HeadsOfOnes_GiveTheSumOfMeanSquaredUnitFeatureDifferences()
    {
        using var n = Random(TinyVgg, 5);
        using (torch.no_grad())
            foreach (var (_, p) in n.Heads.named_parameters()) p.fill_(1);
        using var x = TestImages.Texture(6, 1, 48, 48);
        using var y = TestImages.Texture(7, 1, 48, 48);
        using var scope = torch.NewDisposeScope();
        // independent float64 restatement of the LPIPS formula for heads w = 1
        Tensor Prep(Tensor t) => (t.to(float64) * 2 - 1 - torch.tensor(new[] { -0.030, -0.088, -0.188 }, float64).reshape(1, 3, 1, 1))
                                 / torch.tensor(new[] { 0.458, 0.448, 0.450 }, float64).reshape(1, 3, 1, 1);
        n.Trunk.to(float64);
        var fx = n.Trunk.forward(Prep(x));
        var fy = n.Trunk.forward(Prep(y));
        double expected = 0;
        for (int k = 0; k < 5; k++)
        {
            var ux = fx[k] / (fx[k].square().sum(1, keepdim: true).sqrt() + 1e-10);
            var uy = fy[k] / (fy[k].square().sum(1, keepdim: true).sqrt() + 1e-10);
            expected += (ux - uy).square().sum(1).mean().item<double>();
        }
        n.Trunk.to(float32);
        Assert.Equal(expected, n.Distance(x, y).item<float>(), 4);
    }

    [Fact]
    public async Task Weights_WrittenWithOfficialNames_RoundTrip_EveryKeyConsumed_ClassifierIgnored()
    {
        using var dir = new TempDirectory();
        using var original = Random(TinyAlex, 8);
        // a torchvision checkpoint also carries the classifier: it must be ignored, not fail the load
        var trunkTensors = original.Trunk.state_dict().ToList();
        trunkTensors.Add(new("classifier.1.weight", torch.zeros(3, 4)));
        await SafeTensorsWriter.WriteAsync(dir.File("trunk.safetensors"), trunkTensors);
        await SafeTensorsWriter.WriteStateDictAsync(dir.File("lin.safetensors"), original.Heads);

        using var fresh = Random(TinyAlex, 99);
        using var trunk = await SafeTensorsSource.OpenAsync(dir.File("trunk.safetensors"));
        using var heads = await SafeTensorsSource.OpenAsync(dir.File("lin.safetensors"));
        Assert.Equal(LpipsTrunkKind.AlexNet, LpipsModel.DetectTrunk(trunk));
        await LpipsModel.LoadWeightsAsync(fresh, trunk, heads, CancellationToken.None);

        using var x = TestImages.Texture(9, 1, 64, 64);
        using var y = TestImages.Texture(10, 1, 64, 64);
        using var a = original.Distance(x, y);
        using var b = fresh.Distance(x, y);
        Assert.Equal(a.item<float>(), b.item<float>());

        // a heads file lacking lin4 fails naming the key
        await SafeTensorsWriter.WriteAsync(dir.File("bad.safetensors"), original.Heads.state_dict().Where(kv => !kv.Key.StartsWith("lin4")));
        using var bad = await SafeTensorsSource.OpenAsync(dir.File("bad.safetensors"));
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() => LpipsModel.LoadWeightsAsync(fresh, trunk, bad, CancellationToken.None));
        Assert.Contains("lin4.model.1.weight", ex.Message);
    }

    [Fact]
    public async Task MissingModelFolder_ListsTheExpectedFiles()
    {
        using var dir = new TempDirectory();
        var ex = await Assert.ThrowsAsync<ModelFolderException>(() => LpipsModel.LoadAsync(dir.Path, "v0.1", CPU, CancellationToken.None));
        Assert.Contains("trunk.safetensors", ex.Message);
        Assert.Contains("lin.safetensors", ex.Message);
    }
}
