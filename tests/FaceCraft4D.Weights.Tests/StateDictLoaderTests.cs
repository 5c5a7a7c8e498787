using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests;

/// <summary>The strict loading contract, from each kind of source: lazy files (and shards), an in-memory file, a tensor dictionary.</summary>
public class StateDictLoaderTests
{
    /// <summary>A small network with parameters and buffers (conv, batch norm running stats and counter, linear).</summary>
    private static nn.Module<Tensor, Tensor> Net(int seed, long hidden = 6)
    {
        var net = nn.Sequential(("conv", nn.Conv2d(3, hidden, 3)), ("bn", nn.BatchNorm2d(hidden)), ("act", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)), ("flat", nn.Flatten()), ("fc", nn.Linear(hidden, 4)));
        using var g = new Generator((ulong)seed, CPU);
        using var _ = torch.no_grad();
        foreach (var (_, t) in net.state_dict())
        {
            if (t.is_floating_point()) t.copy_(torch.rand(t.shape, generator: g).Plus(0.1));
            else t.FilledWith(seed);
        }
        net.eval();
        return net;
    }

    private static Tensor Input()
    {
        using var g = new Generator(5, CPU);
        return torch.randn([2, 3, 8, 8], generator: g);
    }

    private static void AssertSameState(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, t) in a) TensorAssert.Identical(t, b[k]);
    }

    [Fact]
    public async Task Written_with_its_own_names_loads_into_a_fresh_module_every_key_consumed_same_output()
    {
        using var dir = new TempDirectory();
        var path = dir.File("net.safetensors");
        using var original = Net(1);
        await SafeTensorsWriter.WriteStateDictAsync(path, original);

        using var fresh = Net(2);
        using var source = await SafeTensorsSource.OpenAsync(path);
        var report = await StateDictLoader.LoadAsync(fresh, source, "net");

        var moduleKeys = fresh.state_dict().Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(moduleKeys, report.LoadedKeys.Order(StringComparer.Ordinal));
        Assert.Equal(source.Entries.Keys.Order(StringComparer.Ordinal), moduleKeys);
        Assert.Contains("bn.running_var", moduleKeys);
        Assert.Empty(report.IgnoredKeys);
        Assert.Equal(fresh.state_dict().Values.Sum(t => t.numel()), report.ParameterCount);
        AssertSameState(original, fresh);
        using var x = Input();
        using var expected = original.call(x);
        using var actual = fresh.call(x);
        TensorAssert.Identical(expected, actual);
    }

    [Fact]
    public async Task Missing_unexpected_and_misshaped_keys_are_all_named_before_anything_is_copied()
    {
        using var dir = new TempDirectory();
        var path = dir.File("net.safetensors");
        using var original = Net(1);
        var tensors = original.state_dict().Where(kv => kv.Key != "fc.bias").ToDictionary(kv => kv.Key, kv => kv.Value);
        using var extra = torch.zeros(3);
        using var wrong = torch.zeros([6, 3, 5, 5]);
        tensors["fc.scale"] = extra;
        tensors["conv.weight"] = wrong;
        await SafeTensorsWriter.WriteAsync(path, tensors);

        using var fresh = Net(2);
        using var before = fresh.state_dict()["fc.weight"].clone();
        using var source = await SafeTensorsSource.OpenAsync(path);
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() => StateDictLoader.LoadAsync(fresh, source, "net"));
        Assert.Equal(["fc.bias"], ex.MissingKeys);
        Assert.Equal(["fc.scale"], ex.UnexpectedKeys);
        var mismatch = Assert.Single(ex.ShapeMismatches);
        Assert.Equal("conv.weight", mismatch.Key);
        Assert.Contains("missing keys", ex.Message);
        Assert.Contains("unexpected keys", ex.Message);
        Assert.Contains("conv.weight: module expects [6, 3, 3, 3], file has [6, 3, 5, 5]", ex.Message);
        Assert.Contains(path, ex.Message);
        TensorAssert.Identical(before, fresh.state_dict()["fc.weight"]);
    }

    [Fact]
    public async Task Float16_file_loads_into_a_float32_module_with_conversion()
    {
        using var dir = new TempDirectory();
        var path = dir.File("net.safetensors");
        using var original = Net(4);
        await SafeTensorsWriter.WriteAsync(path, original.state_dict().Select(kv =>
            KeyValuePair.Create(kv.Key, kv.Value.is_floating_point() ? kv.Value.to(ScalarType.Float16) : kv.Value)));
        using var fresh = Net(5);
        using var source = await SafeTensorsSource.OpenAsync(path);
        Assert.Equal(SafeTensorsDType.F16, source.Entry("fc.weight").DType);
        await StateDictLoader.LoadAsync(fresh, source, "net");
        var b = fresh.state_dict()["fc.weight"];
        Assert.Equal(ScalarType.Float32, b.dtype);
        TensorAssert.Close(original.state_dict()["fc.weight"], b, 2e-3);
    }

    [Fact]
    public async Task Sharded_index_is_read_as_one_state_dict()
    {
        using var dir = new TempDirectory();
        using var original = Net(4);
        var all = original.state_dict().ToList();
        var first = all.Where(kv => kv.Key.StartsWith("conv.", StringComparison.Ordinal)).ToList();
        var second = all.Except(first).ToList();
        await SafeTensorsWriter.WriteAsync(dir.File("m-00001.safetensors"), first);
        await SafeTensorsWriter.WriteAsync(dir.File("m-00002.safetensors"), second);
        var map = first.Select(kv => $"\"{kv.Key}\": \"m-00001.safetensors\"").Concat(second.Select(kv => $"\"{kv.Key}\": \"m-00002.safetensors\""));
        await File.WriteAllTextAsync(dir.File("m.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + string.Join(",", map) + "}}");

        using var fresh = Net(5);
        using var source = await SafeTensorsSource.OpenAsync(dir.File("m.safetensors.index.json"));
        Assert.Equal(2, source.Paths.Count);
        var report = await StateDictLoader.LoadAsync(fresh, source, "net");
        Assert.Equal(all.Count, report.LoadedKeys.Count);
        AssertSameState(original, fresh);
    }

    [Fact]
    public async Task Shard_index_that_names_the_wrong_shard_is_refused()
    {
        using var dir = new TempDirectory();
        using var a = torch.zeros(2);
        using var b = torch.ones(2);
        await SafeTensorsWriter.WriteAsync(dir.File("s1.safetensors"), [KeyValuePair.Create("a", a)]);
        await SafeTensorsWriter.WriteAsync(dir.File("s2.safetensors"), [KeyValuePair.Create("b", b)]);
        await File.WriteAllTextAsync(dir.File("m.safetensors.index.json"), "{\"weight_map\":{\"a\":\"s2.safetensors\",\"b\":\"s1.safetensors\"}}");
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensorsSource.OpenAsync(dir.File("m.safetensors.index.json")));
        Assert.Contains("'a'", ex.Message);
    }

    [Fact]
    public async Task Prefix_is_stripped_keys_outside_it_and_ignored_keys_are_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.File("both.safetensors");
        using var original = Net(1);
        using var other = torch.zeros(3);
        var tensors = original.state_dict().Select(kv => KeyValuePair.Create("student." + kv.Key, kv.Value))
            .Append(KeyValuePair.Create("teacher.fc.weight", other))
            .Append(KeyValuePair.Create("student.fc.ema", other));
        await SafeTensorsWriter.WriteAsync(path, tensors);

        using var fresh = Net(2);
        using var source = await SafeTensorsSource.OpenAsync(path);
        var report = await StateDictLoader.LoadAsync(fresh, source, "student",
            new WeightLoadOptions { FileKeyPrefix = "student.", IgnoreKey = k => k.EndsWith(".ema", StringComparison.Ordinal) });
        Assert.Equal(["student.fc.ema", "teacher.fc.weight"], report.IgnoredKeys);
        AssertSameState(original, fresh);

        // Without the ignore predicate the stray key is unexpected, named with its prefix.
        var ex = await Assert.ThrowsAsync<WeightLoadException>(() =>
            StateDictLoader.LoadAsync(Net(3), source, "student", new WeightLoadOptions { FileKeyPrefix = "student." }));
        Assert.Equal(["student.fc.ema"], ex.UnexpectedKeys);
    }

    [Fact]
    public void In_memory_file_loads_under_the_same_contract()
    {
        using var original = Net(1);
        var file = InMemorySafeTensors.FromArray(InMemorySafeTensors.FromStateDict(original).ToArray());
        using var fresh = Net(2);
        var report = StateDictLoader.Load(fresh, file, "net");
        Assert.Equal(file.Names.Count(), report.LoadedKeys.Count);
        AssertSameState(original, fresh);

        var incomplete = new InMemorySafeTensors();
        foreach (var t in file.Tensors.Where(t => t.Name != "bn.running_mean")) incomplete.Add(t);
        using var untouched = Net(3);
        using var before = untouched.state_dict()["conv.weight"].clone();
        var ex = Assert.Throws<WeightLoadException>(() => StateDictLoader.Load(untouched, incomplete, "net", sources: ["converted.safetensors"]));
        Assert.Equal(["bn.running_mean"], ex.MissingKeys);
        Assert.Contains("converted.safetensors", ex.Message);
        TensorAssert.Identical(before, untouched.state_dict()["conv.weight"]);
    }

    [Fact]
    public void Tensor_dictionary_loads_with_dtype_conversion_and_leaves_the_callers_tensors_alive()
    {
        using var original = Net(1);
        var converted = original.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.is_floating_point() ? kv.Value.to(ScalarType.Float64) : kv.Value.clone());
        try
        {
            using var fresh = Net(2);
            StateDictLoader.Load(fresh, converted, "net");
            AssertSameState(original, fresh);
            Assert.Equal(ScalarType.Float64, converted["fc.weight"].dtype); // still usable: not disposed by the loader

            converted["fc.weight"] = torch.zeros(4, 7, ScalarType.Float64);
            var ex = Assert.Throws<WeightLoadException>(() => StateDictLoader.Load(fresh, converted, "net"));
            Assert.Equal("fc.weight", Assert.Single(ex.ShapeMismatches).Key);
        }
        finally
        {
            foreach (var t in converted.Values) t.Dispose();
        }
    }

    [Fact]
    public async Task Cancelled_load_copies_nothing()
    {
        using var dir = new TempDirectory();
        var path = dir.File("net.safetensors");
        using var original = Net(1);
        await SafeTensorsWriter.WriteStateDictAsync(path, original);
        using var fresh = Net(2);
        using var before = fresh.state_dict()["conv.weight"].clone();
        using var source = await SafeTensorsSource.OpenAsync(path);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StateDictLoader.LoadAsync(fresh, source, "net", null, cts.Token));
        TensorAssert.Identical(before, fresh.state_dict()["conv.weight"]);
    }
}
