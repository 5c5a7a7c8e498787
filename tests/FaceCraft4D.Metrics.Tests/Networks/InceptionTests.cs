using FaceCraft4D.Metrics.Fid;
using FaceCraft4D.Metrics.Inception;
using FaceCraft4D.Metrics.Tests.Support;
using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Tests.Networks;

public class InceptionTests
{
    private static readonly InceptionConfig Tiny = new(WidthDivisor: 16, InputSize: 75);

    [Fact]
    public void Official_HasTorchvisionNamesShapesAndParameterCount()
    {
        using var net = new FidInceptionV3(InceptionConfig.Official);
        var shapes = ParameterCounting.StateShapes(net).ToDictionary(s => s.Name, s => s.Shape);
        // torchvision inception_v3: 27,161,264 parameters minus AuxLogits (3,326,696) and the 1000-class fc (2,049,000)
        Assert.Equal(21_785_568, ParameterCounting.ParameterCount(net));
        Assert.Equal(new long[] { 32, 3, 3, 3 }, shapes["Conv2d_1a_3x3.conv.weight"]);
        Assert.Equal(new long[] { 32 }, shapes["Conv2d_1a_3x3.bn.running_mean"]);
        Assert.Equal(new long[] { 64, 48, 5, 5 }, shapes["Mixed_5b.branch5x5_2.conv.weight"]);
        Assert.Equal(new long[] { 192, 192, 1, 7 }, shapes["Mixed_6e.branch7x7dbl_5.conv.weight"]);
        Assert.Equal(new long[] { 384, 384, 3, 1 }, shapes["Mixed_7c.branch3x3dbl_3b.conv.weight"]);
        Assert.Equal(new long[] { 384 }, shapes["Mixed_7c.branch3x3dbl_3b.bn.running_var"]);
        Assert.DoesNotContain(shapes.Keys, k => k.EndsWith("num_batches_tracked"));
        // 94 BasicConv2d (conv.weight + 4 bn tensors each)
        Assert.Equal(94 * 5, shapes.Count);
        Assert.Equal(2048, InceptionConfig.Official.FeatureSize);
    }

    [Fact]
    public void TinyNetwork_GivesPool3Features_ForAnyInputSize()
    {
        using var net = new FidInceptionV3(Tiny);
        ModuleRandomizer.Randomize(net, 1);
        var extractor = new InceptionFeatureExtractor(net, "tiny", batchSize: 2);
        using var images = TestImages.Texture(1, 3, 64, 80);
        using var f = extractor.Features(images);
        Assert.Equal(new long[] { 3, Tiny.FeatureSize }, f.shape);
        Assert.True(f.isfinite().all().item<bool>());
        Assert.True(f.min().item<float>() >= 0); // means of ReLU outputs
    }

    [Fact]
    public async Task Weights_WrittenWithOfficialNames_RoundTrip_ClassifierAndCountersIgnored()
    {
        using var dir = new TempDirectory();
        using var original = new FidInceptionV3(Tiny);
        ModuleRandomizer.Randomize(original, 2);
        var tensors = original.state_dict().ToList();
        tensors.Add(new("fc.weight", torch.zeros(1008, Tiny.FeatureSize)));
        tensors.Add(new("fc.bias", torch.zeros(1008)));
        tensors.Add(new("Mixed_5b.branch1x1.bn.num_batches_tracked", torch.tensor(0L)));
        await SafeTensorsWriter.WriteAsync(dir.File(InceptionFeatureExtractor.WeightsFile), tensors);

        using var fresh = new FidInceptionV3(Tiny);
        using var source = await SafeTensorsSource.OpenAsync(dir.File(InceptionFeatureExtractor.WeightsFile));
        var report = await InceptionFeatureExtractor.LoadWeightsAsync(fresh, source, CancellationToken.None);
        Assert.Equal(3, report.IgnoredKeys.Count);
        Assert.Equal(fresh.state_dict().Count, report.LoadedKeys.Count);

        using var images = TestImages.Texture(3, 2, 75, 75);
        using var a = new InceptionFeatureExtractor(original, "a").Features(images);
        using var b = new InceptionFeatureExtractor(fresh, "b").Features(images);
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-6));

        // FID of a set with itself through the network is 0; a shifted set is not
        using var more = TestImages.Texture(4, 4, 75, 75);
        using var fa = new InceptionFeatureExtractor(fresh, "b").Features(more);
        using var sa = FeatureStatistics.FromFeatures(fa);
        using var sb = FeatureStatistics.FromFeatures(fa);
        Assert.Equal(0.0, FrechetDistance.Compute(sa, sb), 6);
    }
}
