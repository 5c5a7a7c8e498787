using System.Buffers.Binary;

namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>
/// Reads a tfjs weights manifest and its binary shards into float32 tensors.
/// Supported stored encodings: float32, int32 (converted to float), and quantized
/// uint8 / uint16 (affine: q * scale + min) or float16. All values are little-endian.
/// </summary>
public static class TfjsWeightsReader
{
    /// <summary>Reads <paramref name="manifestPath"/> and the shards it names (resolved next to it).</summary>
    public static async Task<IReadOnlyDictionary<string, TfjsTensor>> ReadAsync(string manifestPath, CancellationToken ct)
    {
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"tfjs weights manifest not found: {manifestPath}", manifestPath);
        var manifest = TfjsWeightsManifest.Parse(await File.ReadAllTextAsync(manifestPath, ct).ConfigureAwait(false));
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var result = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        foreach (var group in manifest.Groups)
        {
            using var stream = new MemoryStream();
            foreach (var shard in group.Paths)
            {
                var shardPath = Path.Combine(folder, shard);
                if (!File.Exists(shardPath))
                    throw new FileNotFoundException($"tfjs weight shard '{shard}' named by {manifestPath} is missing.", shardPath);
                await using var fs = File.OpenRead(shardPath);
                await fs.CopyToAsync(stream, ct).ConfigureAwait(false);
            }
            foreach (var t in Decode(group, stream.ToArray()))
            {
                if (!result.TryAdd(t.Name, t))
                    throw new InvalidDataException($"tfjs weight '{t.Name}' appears twice in {manifestPath}.");
            }
        }
        return result;
    }

    /// <summary>Decodes the weights of one group from the concatenated shard bytes.</summary>
    public static IReadOnlyList<TfjsTensor> Decode(TfjsWeightGroup group, ReadOnlySpan<byte> bytes)
    {
        var tensors = new List<TfjsTensor>(group.Weights.Length);
        int offset = 0;
        foreach (var spec in group.Weights)
        {
            int count = checked((int)spec.ElementCount);
            var storedDtype = spec.Quantization?.Dtype ?? spec.Dtype;
            int bytesPer = BytesPerElement(storedDtype, spec.Name);
            int byteCount = checked(count * bytesPer);
            if (offset + byteCount > bytes.Length)
                throw new InvalidDataException(
                    $"tfjs weight '{spec.Name}' needs bytes {offset}..{offset + byteCount} but the shards hold only {bytes.Length}.");
            var slice = bytes.Slice(offset, byteCount);
            var values = new float[count];
            DecodeValues(spec, storedDtype, slice, values);
            tensors.Add(new TfjsTensor(spec.Name, spec.Shape, values));
            offset += byteCount;
        }
        if (offset != bytes.Length)
            throw new InvalidDataException($"tfjs weight group consumed {offset} bytes but its shards hold {bytes.Length}.");
        return tensors;
    }

    private static int BytesPerElement(string dtype, string name) => dtype switch
    {
        "float32" or "int32" => 4,
        "uint16" or "float16" => 2,
        "uint8" => 1,
        _ => throw new NotSupportedException($"tfjs weight '{name}': stored dtype '{dtype}' is not supported."),
    };

    private static void DecodeValues(TfjsWeightSpec spec, string storedDtype, ReadOnlySpan<byte> src, float[] dst)
    {
        switch (storedDtype)
        {
            case "float32":
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                break;
            case "int32":
                for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]);
                break;
            case "float16":
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                break;
            case "uint8":
            {
                var (scale, min) = AffineOf(spec);
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)(src[i] * scale + min);
                break;
            }
            case "uint16":
            {
                var (scale, min) = AffineOf(spec);
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) * scale + min);
                break;
            }
            default:
                throw new NotSupportedException($"tfjs weight '{spec.Name}': stored dtype '{storedDtype}' is not supported.");
        }
    }

    private static (double Scale, double Min) AffineOf(TfjsWeightSpec spec)
    {
        var q = spec.Quantization ?? throw new InvalidDataException($"tfjs weight '{spec.Name}' is integer-quantized without a quantization record.");
        if (q.Scale is null || q.Min is null)
            throw new InvalidDataException($"tfjs weight '{spec.Name}': quantization '{q.Dtype}' needs both scale and min.");
        return (q.Scale.Value, q.Min.Value);
    }
}
