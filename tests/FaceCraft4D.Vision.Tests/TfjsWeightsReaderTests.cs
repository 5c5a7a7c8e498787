using System.Buffers.Binary;
using FaceCraft4D.Vision.Preprocessing.Tfjs;

namespace FaceCraft4D.Vision.Tests;

public sealed class TfjsWeightsReaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("fc4d-tfjs-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Reads_float32_and_quantized_weights_across_two_shards()
    {
        float[] plain = { 1.5f, -2.25f, 3.0f, 0.125f, -7f, 42f };            // shape [2, 3] float32
        byte[] q8 = { 0, 1, 128, 255 };                                        // shape [4] uint8, scale 0.5, min -1
        ushort[] q16 = { 0, 1000, 65535 };                                     // shape [3] uint16, scale 0.001, min 2
        Half[] h = { (Half)0.5f, (Half)(-1.25f) };                             // shape [2] float16
        var bytes = new List<byte>();
        foreach (var f in plain) { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, f); bytes.AddRange(b); }
        bytes.AddRange(q8);
        foreach (var u in q16) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, u); bytes.AddRange(b); }
        foreach (var v in h) { var b = new byte[2]; BinaryPrimitives.WriteHalfLittleEndian(b, v); bytes.AddRange(b); }
        // split into two shards at an arbitrary byte (tfjs shards cut through tensors)
        File.WriteAllBytes(Path.Combine(dir, "m.bin.1"), bytes.Take(10).ToArray());
        File.WriteAllBytes(Path.Combine(dir, "m.bin.2"), bytes.Skip(10).ToArray());
        var manifest = new TfjsWeightsManifest(new[]
        {
            new TfjsWeightGroup(new[] { "m.bin.1", "m.bin.2" }, new[]
            {
                new TfjsWeightSpec("a/plain", new[] { 2, 3 }, "float32", null),
                new TfjsWeightSpec("b/q8", new[] { 4 }, "float32", new TfjsQuantization("uint8", 0.5, -1)),
                new TfjsWeightSpec("c/q16", new[] { 3 }, "float32", new TfjsQuantization("uint16", 0.001, 2)),
                new TfjsWeightSpec("d/half", new[] { 2 }, "float32", new TfjsQuantization("float16", null, null)),
            }),
        });
        var path = Path.Combine(dir, "m-weights_manifest.json");
        await File.WriteAllTextAsync(path, manifest.ToJson());

        var w = await TfjsWeightsReader.ReadAsync(path, CancellationToken.None);

        Assert.Equal(4, w.Count);
        Assert.Equal(new[] { 2, 3 }, w["a/plain"].Shape);
        Assert.Equal(plain, w["a/plain"].Values);
        Assert.Equal(new[] { -1f, -0.5f, 63f, 126.5f }, w["b/q8"].Values);
        Assert.Equal(new[] { 2f, 3f, 2f + 65.535f }, w["c/q16"].Values.Select(v => MathF.Round(v, 4)).ToArray());
        Assert.Equal(new[] { 0.5f, -1.25f }, w["d/half"].Values);
    }

    [Fact]
    public void Decode_rejects_shards_shorter_or_longer_than_the_manifest()
    {
        var group = new TfjsWeightGroup(new[] { "x.bin" }, new[] { new TfjsWeightSpec("w", new[] { 3 }, "float32", null) });
        var short_ = Assert.Throws<InvalidDataException>(() => TfjsWeightsReader.Decode(group, new byte[8]));
        Assert.Contains("'w'", short_.Message);
        Assert.Throws<InvalidDataException>(() => TfjsWeightsReader.Decode(group, new byte[16]));
    }

    [Fact]
    public void Parses_the_json_layout_tfjs_writes()
    {
        const string json = """
        [{"paths":["group1-shard1of1"],"weights":[{"name":"conv/filters","shape":[3,3,3,16],"dtype":"float32",
          "quantization":{"dtype":"uint8","scale":0.0048,"min":-0.58}}]}]
        """;
        var m = TfjsWeightsManifest.Parse(json);
        var spec = Assert.Single(Assert.Single(m.Groups).Weights);
        Assert.Equal("conv/filters", spec.Name);
        Assert.Equal(432, spec.ElementCount);
        Assert.Equal("uint8", spec.Quantization!.Dtype);
        Assert.Equal(-0.58, spec.Quantization.Min);
    }
}
