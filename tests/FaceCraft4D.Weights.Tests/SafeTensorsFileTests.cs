using FaceCraft4D.Priors.Tests.Support;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Tests;

public class SafeTensorsFileTests
{
    [Fact]
    public async Task RoundTrip_PreservesNamesShapesDtypesAndValues()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.safetensors");
        using var f32 = HeldScalarOps.Arange(24, ScalarType.Float32).reshape(2, 3, 4).DividedBy(7);
        using var f16 = torch.tensor(new float[] { 1.5f, -2.25f, 65504f }).to(ScalarType.Float16);
        using var bf16 = torch.tensor(new float[] { 3.0f, -0.5f }).to(ScalarType.BFloat16);
        using var i64 = torch.tensor(new long[] { 42 }).reshape(Array.Empty<long>());
        await SafeTensorsWriter.WriteAsync(path, new Dictionary<string, Tensor> { ["a.weight"] = f32, ["b"] = f16, ["c"] = bf16, ["n"] = i64 },
            new Dictionary<string, string> { ["format"] = "pt" });

        using var file = await SafeTensorsFile.OpenAsync(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(new long[] { 2, 3, 4 }, file.Entries["a.weight"].Shape);
        Assert.Equal(SafeTensorsDType.F16, file.Entries["b"].DType);
        Assert.Equal(SafeTensorsDType.BF16, file.Entries["c"].DType);
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
    public async Task Written_by_the_writer_reads_back_in_memory_identically()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.safetensors");
        using var w = torch.randn(4, 5);
        using var b = torch.tensor(new[] { true, false });
        await SafeTensorsWriter.WriteAsync(path, new Dictionary<string, Tensor> { ["w"] = w, ["b"] = b });
        var whole = await InMemorySafeTensors.ReadAsync(path);
        Assert.Equal(["b", "w"], whole.Names); // the tensor writer orders by name
        using var w2 = whole.GetTorch("w");
        TensorAssert.Identical(w, w2);
        using var lazy = await SafeTensorsFile.OpenAsync(path);
        using var b2 = await lazy.ReadTensorAsync("b");
        TensorAssert.Identical(b, b2);
    }

    [Fact]
    public async Task Unknown_name_is_named_in_the_error()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.safetensors");
        using var w = torch.zeros(2);
        await SafeTensorsWriter.WriteAsync(path, new Dictionary<string, Tensor> { ["w"] = w });
        using var file = await SafeTensorsFile.OpenAsync(path);
        var ex = await Assert.ThrowsAsync<KeyNotFoundException>(() => file.ReadTensorAsync("nope"));
        Assert.Contains("'nope'", ex.Message);
    }
}
