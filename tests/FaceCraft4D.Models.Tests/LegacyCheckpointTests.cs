using System.Text;
using FaceCraft4D.Models.Conversion;
using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Weights;
using TorchSharp;
using Xunit;

namespace FaceCraft4D.Models.Tests;

/// <summary>
/// The legacy (pre-1.6) torch.save format of older official weights (torchvision VGG16, pytorch-fid Inception, lpips
/// heads). The fixture was written by Python's own pickle in torch's legacy layout (Fixtures/make_legacy_checkpoint.py).
/// </summary>
public sealed class LegacyCheckpointTests
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "legacy-state-dict.pth");

    [Fact]
    public async Task A_legacy_state_dict_converts_with_views_strides_and_dtypes()
    {
        var output = Path.Combine(Path.GetTempPath(), $"fc4d-legacy-{Guid.NewGuid():N}.safetensors");
        try
        {
            await new WeightConverter().ConvertAsync(Fixture, output, ConversionKinds.PthToSafeTensors, CancellationToken.None);

            using var file = await SafeTensorsFile.OpenAsync(output);
            Assert.Equal(["bn.num_batches_tracked", "features.0.bias", "features.0.weight", "features.t", "head.scale"],
                file.Entries.Keys.Order(StringComparer.Ordinal).ToArray());
            using var weight = await file.ReadTensorAsync("features.0.weight");
            Assert.Equal([2L, 3L], weight.shape);
            Assert.Equal([0f, 1, 2, 3, 4, 5], weight.data<float>().ToArray());
            using var bias = await file.ReadTensorAsync("features.0.bias");
            Assert.Equal([4f, 5], bias.data<float>().ToArray());
            using var transposed = await file.ReadTensorAsync("features.t");
            Assert.Equal([3L, 2L], transposed.shape);
            Assert.Equal([0f, 3, 1, 4, 2, 5], transposed.data<float>().ToArray());
            using var counter = await file.ReadTensorAsync("bn.num_batches_tracked");
            Assert.Empty(counter.shape);
            Assert.Equal(torch.ScalarType.Int64, counter.dtype);
            Assert.Equal(17L, counter.item<long>());
            using var scale = await file.ReadTensorAsync("head.scale");
            Assert.Equal(torch.ScalarType.Float64, scale.dtype);
            Assert.Equal([1L, 3L, 1L, 1L], scale.shape);
            Assert.Equal([0.5, -1.25, 3.0], scale.data<double>().ToArray());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task A_pickled_network_is_refused_with_a_pointer_to_the_recipe()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fc4d-network-{Guid.NewGuid():N}.pkl");
        // protocol 2: GLOBAL dnnlib.util EasyDict, EMPTY_TUPLE, REDUCE, STOP (what a StyleGAN-family .pkl starts with)
        await File.WriteAllBytesAsync(path, [0x80, 0x02, .. Encoding.ASCII.GetBytes("cdnnlib.util\nEasyDict\n"), (byte)')', (byte)'R', (byte)'.']);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
                new WeightConverter().ConvertAsync(path, path + ".safetensors", ConversionKinds.PthToSafeTensors, CancellationToken.None));
            Assert.Contains("infra/models/README.md", error.Message);
            Assert.False(File.Exists(path + ".safetensors"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
