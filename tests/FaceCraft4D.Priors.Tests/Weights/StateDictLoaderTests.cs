using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Priors.Weights;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Weights;

public class StateDictLoaderTests
{
    private static (Tensor Sample, Tensor Timesteps, Tensor Context) Inputs()
    {
        using var g = new Generator(11, CPU);
        return (torch.randn([2, 4, 8, 8], generator: g), torch.tensor(new float[] { 3, 700 }), torch.randn([2, 7, 16], generator: g));
    }

    [Fact]
    public async Task TinyUnet_WrittenWithOfficialNames_LoadsIntoFreshModule_EveryKeyConsumed_SameOutput()
    {
        using var dir = new TempDirectory();
        var path = dir.File("unet.safetensors");
        using var original = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 1);
        await SafeTensorsWriter.WriteStateDictAsync(path, original);

        using var fresh = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 2);
        using var source = await SafeTensorsSource.OpenAsync(path);
        var report = await StateDictLoader.LoadAsync(fresh, source, "unet");

        var moduleKeys = fresh.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        Assert.Equal(moduleKeys, report.LoadedKeys.OrderBy(k => k, StringComparer.Ordinal).ToList());
        Assert.Equal(source.Entries.Keys.OrderBy(k => k, StringComparer.Ordinal), moduleKeys);
        Assert.Empty(report.IgnoredKeys);
        Assert.Contains("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight", moduleKeys);

        var (x, t, c) = Inputs();
        using var _ = torch.inference_mode();
        using var expected = original.Forward(x, t, c);
        using var actual = fresh.Forward(x, t, c);
        TensorAssert.Identical(expected, actual);
    }

    [Fact]
    public async Task MissingKey_FailsNamingTheKey_AndLoadsNothing()
    {
        using var dir = new TempDirectory();
        var path = dir.File("unet.safetensors");
        using var original = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 1);
        const string dropped = "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight";
        await SafeTensorsWriter.WriteAsync(path, original.state_dict().Where(kv => kv.Key != dropped));

        using var fresh = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 2);
        using var before = fresh.state_dict()["conv_in.weight"].clone();
        using var source = await SafeTensorsSource.OpenAsync(path);
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() => StateDictLoader.LoadAsync(fresh, source, "unet"));
        Assert.Equal([dropped], ex.MissingKeys);
        Assert.Contains(dropped, ex.Message);
        Assert.Contains("missing keys", ex.Message);
        TensorAssert.Identical(before, fresh.state_dict()["conv_in.weight"]);
    }

    [Fact]
    public async Task WrongShape_FailsNamingKeyAndBothShapes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("unet.safetensors");
        using var original = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 1);
        const string key = "up_blocks.1.resnets.0.conv1.weight";
        var tensors = original.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        using var wrong = torch.zeros([32, 95, 3, 3]);
        tensors[key] = wrong;
        await SafeTensorsWriter.WriteAsync(path, tensors);

        using var fresh = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 2);
        using var source = await SafeTensorsSource.OpenAsync(path);
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() => StateDictLoader.LoadAsync(fresh, source, "unet"));
        var mismatch = Assert.Single(ex.ShapeMismatches);
        Assert.Equal(key, mismatch.Key);
        Assert.Contains($"{key}: module expects [32, 96, 3, 3], file has [32, 95, 3, 3]", ex.Message);
    }

    [Fact]
    public async Task UnexpectedKey_FailsNamingIt()
    {
        using var dir = new TempDirectory();
        var path = dir.File("unet.safetensors");
        using var original = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 1);
        var tensors = original.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        using var extra = torch.zeros(3);
        tensors["down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias"] = extra;
        await SafeTensorsWriter.WriteAsync(path, tensors);

        using var fresh = TinyModels.CreateUnet(TinyModels.SdUnet(), seed: 2);
        using var source = await SafeTensorsSource.OpenAsync(path);
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() => StateDictLoader.LoadAsync(fresh, source, "unet"));
        Assert.Equal(["down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias"], ex.UnexpectedKeys);
    }

    [Fact]
    public async Task Float16File_LoadsIntoFloat32Module_WithConversion()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vae.safetensors");
        using var original = TinyModels.CreateVae(seed: 4);
        await SafeTensorsWriter.WriteAsync(path, original.state_dict().Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.to(ScalarType.Float16))));
        using var fresh = TinyModels.CreateVae(seed: 5);
        using var source = await SafeTensorsSource.OpenAsync(path);
        await StateDictLoader.LoadAsync(fresh, source, "vae");
        var a = original.state_dict()["decoder.conv_out.weight"];
        var b = fresh.state_dict()["decoder.conv_out.weight"];
        Assert.Equal(ScalarType.Float32, b.dtype);
        TensorAssert.Close(a, b, 2e-3);
    }

    [Fact]
    public async Task ShardedIndex_IsReadAsOneStateDict()
    {
        using var dir = new TempDirectory();
        using var original = TinyModels.CreateVae(seed: 4);
        var all = original.state_dict().ToList();
        var first = all.Where(kv => kv.Key.StartsWith("encoder.", StringComparison.Ordinal)).ToList();
        var second = all.Except(first).ToList();
        await SafeTensorsWriter.WriteAsync(dir.File("m-00001.safetensors"), first);
        await SafeTensorsWriter.WriteAsync(dir.File("m-00002.safetensors"), second);
        var map = first.Select(kv => $"\"{kv.Key}\": \"m-00001.safetensors\"").Concat(second.Select(kv => $"\"{kv.Key}\": \"m-00002.safetensors\""));
        await File.WriteAllTextAsync(dir.File("m.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + string.Join(",", map) + "}}");

        using var fresh = TinyModels.CreateVae(seed: 5);
        using var source = await SafeTensorsSource.OpenAsync(dir.File("m.safetensors.index.json"));
        var report = await StateDictLoader.LoadAsync(fresh, source, "vae");
        Assert.Equal(all.Count, report.LoadedKeys.Count);
        TensorAssert.Identical(original.state_dict()["encoder.conv_in.weight"], fresh.state_dict()["encoder.conv_in.weight"]);
        TensorAssert.Identical(original.state_dict()["decoder.conv_out.bias"], fresh.state_dict()["decoder.conv_out.bias"]);
    }
}
