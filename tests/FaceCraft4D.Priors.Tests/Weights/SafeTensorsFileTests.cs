using System.Buffers.Binary;
using System.Text;
using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Priors.Weights;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Tests.Weights;

public class SafeTensorsFileTests
{
    [Fact]
    public async Task RoundTrip_PreservesNamesShapesDtypesAndValues()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.safetensors");
        using var f32 = torch.arange(24, ScalarType.Float32).reshape(2, 3, 4) / 7;
        using var f16 = torch.tensor(new float[] { 1.5f, -2.25f, 65504f }).to(ScalarType.Float16);
        using var bf16 = torch.tensor(new float[] { 3.0f, -0.5f }).to(ScalarType.BFloat16);
        using var i64 = torch.tensor(new long[] { 42 }).reshape(Array.Empty<long>());
        await SafeTensorsWriter.WriteAsync(path, new Dictionary<string, Tensor> { ["a.weight"] = f32, ["b"] = f16, ["c"] = bf16, ["n"] = i64 },
            new Dictionary<string, string> { ["format"] = "pt" });

        using var file = await SafeTensorsFile.OpenAsync(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(new long[] { 2, 3, 4 }, file.Entries["a.weight"].Shape);
        Assert.Equal("F16", file.Entries["b"].DType);
        Assert.Equal("BF16", file.Entries["c"].DType);
        Assert.Empty(file.Entries["n"].Shape);
        using var a = await file.ReadTensorAsync("a.weight");
        TensorAssert.Identical(f32, a);
        using var b = await file.ReadTensorAsync("b", dtype: ScalarType.Float32);
        Assert.Equal(new[] { 1.5f, -2.25f, 65504f }, b.data<float>().ToArray());
        using var c = await file.ReadTensorAsync("c", dtype: ScalarType.Float32);
        Assert.Equal(new[] { 3.0f, -0.5f }, c.data<float>().ToArray());
        using var n = await file.ReadTensorAsync("n");
        Assert.Equal(42L, n.item<long>());
    }

    [Fact]
    public async Task Header_WithOffsetsNotMatchingShape_IsRejectedWithTensorName()
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.safetensors");
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}");
        var bytes = new byte[8 + header.Length + 12];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        await File.WriteAllBytesAsync(path, bytes);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensorsFile.OpenAsync(path));
        Assert.Contains("'w'", ex.Message);
    }

    [Fact]
    public async Task TruncatedFile_IsRejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File("short.safetensors");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensorsFile.OpenAsync(path));
    }
}
