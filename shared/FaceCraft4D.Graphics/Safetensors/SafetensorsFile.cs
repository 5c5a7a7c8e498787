using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace FaceCraft4D.Graphics.Safetensors;

/// <summary>
/// Minimal reader and writer of the safetensors format
/// (https://github.com/huggingface/safetensors, format description):
/// <list type="number">
/// <item>8 bytes: unsigned little-endian 64-bit header length <c>n</c>;</item>
/// <item><c>n</c> bytes: UTF-8 JSON object mapping each tensor name to
/// <c>{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}</c> plus an optional
/// <c>"__metadata__"</c> object of string to string; the writer pads it with spaces to a multiple of 8;</item>
/// <item>the byte buffer: raw little-endian row-major tensor data, offsets relative to its start.</item>
/// </list>
/// Each tensor must be smaller than 2 GiB (a .NET array); the file as a whole may be larger.
/// Tensors keep their insertion order when written.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>The reserved header key holding string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest header accepted by the reader (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly List<SafetensorsTensor> _tensors = new();
    private readonly Dictionary<string, SafetensorsTensor> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>String metadata (<c>__metadata__</c>).</summary>
    public IDictionary<string, string> Metadata => _metadata;

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors => _tensors;

    /// <summary>Names of all tensors.</summary>
    public IEnumerable<string> Names => _tensors.Select(t => t.Name);

    /// <summary>Gets a tensor by name; throws <see cref="KeyNotFoundException"/> naming the missing key.</summary>
    public SafetensorsTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"Safetensors file has no tensor '{name}'.");

    /// <summary>True when a tensor of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Tries to get a tensor by name.</summary>
    public bool TryGet(string name, out SafetensorsTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>Adds (or replaces) a tensor.</summary>
    public SafetensorsFile Add(SafetensorsTensor tensor)
    {
        if (_byName.TryGetValue(tensor.Name, out var old)) _tensors.Remove(old);
        _tensors.Add(tensor);
        _byName[tensor.Name] = tensor;
        return this;
    }

    /// <summary>Adds a tensor from raw bytes.</summary>
    public SafetensorsFile Add(string name, SafetensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
        => Add(new SafetensorsTensor(name, dtype, shape, data));

    /// <summary>Reads a safetensors file from a stream (need not be seekable).</summary>
    public static async Task<SafetensorsFile> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        EnsureLittleEndian();
        var lengthBytes = new byte[8];
        await stream.ReadExactlyAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"Safetensors header length {headerLength} is out of range (1..{MaxHeaderBytes}).");
        var header = new byte[headerLength];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var (entries, metadata) = ParseHeader(header);

        var file = new SafetensorsFile();
        foreach (var kv in metadata) file._metadata[kv.Key] = kv.Value;
        long position = 0;
        var skip = new byte[64 * 1024];
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < position)
                throw new InvalidDataException($"Tensor '{e.Name}' overlaps another tensor's data.");
            while (position < e.Begin)
            {
                int n = (int)Math.Min(skip.Length, e.Begin - position);
                await stream.ReadExactlyAsync(skip.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                position += n;
            }
            long length = e.End - e.Begin;
            if (length > Array.MaxLength)
                throw new InvalidDataException($"Tensor '{e.Name}' is {length} bytes; tensors over {Array.MaxLength} bytes are not supported.");
            var data = new byte[length];
            await stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
            position = e.End;
            file.Add(new SafetensorsTensor(e.Name, e.DType, e.Shape, data));
        }
        return file;
    }

    /// <summary>Reads a safetensors file from a path.</summary>
    public static async Task<SafetensorsFile> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await ReadAsync(fs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the file to a stream.</summary>
    public async Task WriteAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        EnsureLittleEndian();
        byte[] header = BuildHeader();
        var lengthBytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
        await stream.WriteAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        foreach (var t in _tensors)
            await stream.WriteAsync(t.Data, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the file to a path (created or overwritten).</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await WriteAsync(fs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serialises to a byte array.</summary>
    public byte[] ToArray()
    {
        using var ms = new MemoryStream();
        WriteAsync(ms).GetAwaiter().GetResult();
        return ms.ToArray();
    }

    /// <summary>Parses a complete file held in memory.</summary>
    public static SafetensorsFile FromArray(byte[] bytes)
    {
        using var ms = new MemoryStream(bytes, writable: false);
        return ReadAsync(ms).GetAwaiter().GetResult();
    }

    private byte[] BuildHeader()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (_metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var kv in _metadata) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in _tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.ToHeaderString());
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Data.Length;
            }
            w.WriteEndObject();
        }
        var json = ms.ToArray();
        int padded = (json.Length + 7) / 8 * 8;
        var header = new byte[padded];
        json.CopyTo(header, 0);
        for (int i = json.Length; i < padded; i++) header[i] = (byte)' ';
        return header;
    }

    private sealed record HeaderEntry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End);

    private static (List<HeaderEntry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header)
    {
        var entries = new List<HeaderEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("Safetensors header is not valid JSON: " + ex.Message, ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("Safetensors header must be a JSON object.");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == MetadataKey)
                {
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                var v = prop.Value;
                if (!v.TryGetProperty("dtype", out var dt) || !v.TryGetProperty("shape", out var sh) || !v.TryGetProperty("data_offsets", out var off))
                    throw new InvalidDataException($"Safetensors entry '{prop.Name}' lacks dtype, shape or data_offsets.");
                var dtype = SafetensorsDTypes.Parse(dt.GetString() ?? "");
                var shape = sh.EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = off.EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                    throw new InvalidDataException($"Safetensors entry '{prop.Name}' has invalid data_offsets.");
                long count = shape.Aggregate(1L, (a, b) => a * b);
                if (count * dtype.ElementSize() != offsets[1] - offsets[0])
                    throw new InvalidDataException($"Safetensors entry '{prop.Name}': offsets span {offsets[1] - offsets[0]} bytes but shape [{string.Join(",", shape)}] of {dtype} needs {count * dtype.ElementSize()}.");
                entries.Add(new HeaderEntry(prop.Name, dtype, shape, offsets[0], offsets[1]));
            }
        }
        return (entries, metadata);
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The safetensors reader/writer assumes a little-endian machine.");
    }

    /// <summary>Readable summary (names, dtypes, shapes) for error messages and logs.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var t in _tensors) sb.Append(t.Name).Append(' ').Append(t.DType).Append(" [").Append(string.Join(",", t.Shape)).AppendLine("]");
        return sb.ToString();
    }
}
