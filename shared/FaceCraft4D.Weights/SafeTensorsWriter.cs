using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights;

/// <summary>
/// The one safetensors writer: header from <see cref="SafeTensorsHeader.Build"/> (space-padded to 8 bytes), then each
/// tensor's little-endian bytes, contiguously, in the order given. Writes TorchSharp tensors (state dicts exported by
/// tools and test fixtures; one tensor is copied to the CPU at a time) and <see cref="InMemorySafeTensors"/>.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes tensors to <paramref name="path"/> (created or overwritten) in name order.</summary>
    public static async Task WriteAsync(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var header = SafeTensorsHeader.Build(
            ordered.Select(kv => (kv.Key, kv.Value.dtype.ToSafeTensorsDType(), (IReadOnlyList<long>)kv.Value.shape)), metadata);
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        foreach (var (_, tensor) in ordered)
        {
            using var cpu = tensor.detach().contiguous().cpu();
            if (cpu.numel() > 0) await stream.WriteAsync(cpu.bytes.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a module's full state dict (parameters and persistent buffers) under its own names.</summary>
    public static Task WriteStateDictAsync(string path, nn.Module module, string prefix = "",
        CancellationToken cancellationToken = default)
        => WriteAsync(path, module.state_dict().Select(kv => new KeyValuePair<string, Tensor>(prefix + kv.Key, kv.Value)),
            null, cancellationToken);

    /// <summary>Writes in-memory tensors to a stream in the order given.</summary>
    public static async Task WriteAsync(Stream stream, IReadOnlyList<InMemorySafeTensor> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null, CancellationToken cancellationToken = default)
    {
        var header = SafeTensorsHeader.Build(tensors.Select(t => (t.Name, t.DType, t.Shape)), metadata);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        foreach (var t in tensors)
            await stream.WriteAsync(t.Data, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
