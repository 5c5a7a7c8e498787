using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Weights;

/// <summary>
/// Writes tensors to the safetensors format (used by the tests to produce official-name fixtures from tiny models and
/// by tools that export state dicts). Tensors are written in name order; the header is space-padded to 8 bytes.
/// </summary>
public static class SafeTensorsWriter
{
    public static async Task WriteAsync(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var payloads = new List<byte[]>(ordered.Count);
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            using var cpu = tensor.detach().contiguous().cpu();
            var bytes = cpu.numel() == 0 ? Array.Empty<byte>() : cpu.bytes.ToArray();
            payloads.Add(bytes);
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = SafeTensorsDType.ToTag(cpu.dtype),
                ["shape"] = cpu.shape,
                ["data_offsets"] = new[] { offset, offset + bytes.Length },
            };
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        var headerBytes = new byte[padded];
        Array.Fill(headerBytes, (byte)' ');
        json.CopyTo(headerBytes, 0);
        var lengthBytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);

        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await stream.WriteAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(headerBytes, cancellationToken).ConfigureAwait(false);
        foreach (var p in payloads) await stream.WriteAsync(p, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a module's full state dict (parameters and persistent buffers) under its own names.</summary>
    public static Task WriteStateDictAsync(string path, nn.Module module, string prefix = "",
        CancellationToken cancellationToken = default)
        => WriteAsync(path, module.state_dict().Select(kv => new KeyValuePair<string, Tensor>(prefix + kv.Key, kv.Value)),
            null, cancellationToken);
}
