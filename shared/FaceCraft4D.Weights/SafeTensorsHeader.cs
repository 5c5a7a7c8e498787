using System.Buffers.Binary;
using System.Text.Json;

namespace FaceCraft4D.Weights;

/// <summary>
/// The one parser and builder of the safetensors header (format: README.md of this project). Parsing checks, with
/// checked arithmetic, everything a reader relies on before any tensor byte is touched: the declared header length
/// against the bytes that exist, every entry's dtype, shape and <c>data_offsets</c>, that element count × element size
/// equals the entry's byte length, that the entries tile the data buffer contiguously from offset 0 without gaps or
/// overlaps, and (when the total length is known) that the buffer ends exactly where the file or stream ends.
/// Any violation is an <see cref="InvalidDataException"/> naming the source and the tensor.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>The reserved header key holding string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Size of the little-endian u64 header length that starts every file.</summary>
    public const int LengthPrefixBytes = 8;

    /// <summary>Largest header accepted (100 MB, as the reference implementation).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private SafeTensorsHeader(IReadOnlyList<SafeTensorEntry> entries, IReadOnlyDictionary<string, string> metadata, long headerLength)
    {
        Entries = entries;
        Metadata = metadata;
        HeaderLength = headerLength;
        DataLength = entries.Count == 0 ? 0 : entries[^1].DataEnd;
    }

    /// <summary>The tensors in data order (ascending offsets).</summary>
    public IReadOnlyList<SafeTensorEntry> Entries { get; }

    /// <summary>The optional <c>__metadata__</c> string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Bytes of the JSON header (without the 8-byte length prefix).</summary>
    public long HeaderLength { get; }

    /// <summary>Absolute file offset of the data buffer: 8 + <see cref="HeaderLength"/>.</summary>
    public long DataOffset => LengthPrefixBytes + HeaderLength;

    /// <summary>Bytes of the data buffer (end of the last tensor).</summary>
    public long DataLength { get; }

    /// <summary>
    /// Reads the 8-byte length prefix and checks it: positive, at most <see cref="MaxHeaderBytes"/>, and, when
    /// <paramref name="totalLength"/> (bytes of the whole file or stream) is known, inside it.
    /// </summary>
    public static long ParseLength(ReadOnlySpan<byte> prefix, long? totalLength, string source)
    {
        if (totalLength is < LengthPrefixBytes)
            throw new InvalidDataException($"{source}: too short to be a safetensors file ({totalLength} bytes).");
        if (prefix.Length < LengthPrefixBytes)
            throw new InvalidDataException($"{source}: too short to be a safetensors file (no 8-byte header length).");
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared == 0 || declared > MaxHeaderBytes)
            throw new InvalidDataException($"{source}: safetensors header length {declared} is out of range (1..{MaxHeaderBytes}).");
        long length = (long)declared;
        if (totalLength is { } total && length > total - LengthPrefixBytes)
            throw new InvalidDataException($"{source}: safetensors header length {length} exceeds the {total}-byte file.");
        return length;
    }

    /// <summary>
    /// Parses and checks a header. <paramref name="dataLength"/>: bytes that follow the header (file length − 8 − header
    /// length) when known; the entries must then end exactly there.
    /// </summary>
    public static SafeTensorsHeader Parse(ReadOnlyMemory<byte> json, long? dataLength, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: safetensors header is not valid JSON: {ex.Message}", ex);
        }
        var entries = new List<SafeTensorEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: safetensors header is not a JSON object.");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw new InvalidDataException($"{source}: safetensors header names '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"{source}: '{MetadataKey}' is not a JSON object.");
                    foreach (var m in property.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(ParseEntry(property, source));
            }
        }
        entries.Sort((a, b) => a.DataStart != b.DataStart ? a.DataStart.CompareTo(b.DataStart) : a.DataEnd.CompareTo(b.DataEnd));
        long end = 0;
        foreach (var e in entries)
        {
            if (e.DataStart != end)
                throw new InvalidDataException(e.DataStart < end
                    ? $"{source}: tensor '{e.Name}' overlaps another tensor's data (starts at {e.DataStart}, previous data ends at {end})."
                    : $"{source}: tensor '{e.Name}' leaves a gap in the data buffer (starts at {e.DataStart}, previous data ends at {end}).");
            end = e.DataEnd;
        }
        if (dataLength is { } available && end != available)
            throw new InvalidDataException(end > available
                ? $"{source}: tensor data needs {end} bytes after the header but the file has {available}."
                : $"{source}: {available - end} bytes after the last tensor's data (the data buffer is {end} bytes).");
        return new SafeTensorsHeader(entries, metadata, json.Length);
    }

    private static SafeTensorEntry ParseEntry(JsonProperty property, string source)
    {
        string name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var offsetsEl) || offsetsEl.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{source}: tensor '{name}' lacks dtype, shape or data_offsets.");
        SafeTensorsDType dtype;
        try
        {
            dtype = SafeTensorsDTypes.Parse(dtypeEl.GetString()!);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{source}: tensor '{name}': {ex.Message}", ex);
        }
        long[] shape = ReadNonNegative(shapeEl, source, name, "shape");
        long[] offsets = ReadNonNegative(offsetsEl, source, name, "data_offsets");
        if (offsets.Length != 2 || offsets[1] < offsets[0])
            throw new InvalidDataException($"{source}: tensor '{name}' has invalid data_offsets [{string.Join(", ", offsets)}].");
        long needed;
        try
        {
            needed = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{source}: tensor '{name}' {dtype}{ShapeFormat.Format(shape)} is too large (byte count overflows).");
        }
        if (needed != offsets[1] - offsets[0])
            throw new InvalidDataException(
                $"{source}: tensor '{name}' {dtype}{ShapeFormat.Format(shape)} needs {needed} bytes but data_offsets span {offsets[1] - offsets[0]}.");
        return new SafeTensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadNonNegative(JsonElement array, string source, string name, string field)
    {
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long v) || v < 0)
                throw new InvalidDataException($"{source}: tensor '{name}' has a {field} value that is not a non-negative integer ({e.GetRawText()}).");
            values[i++] = v;
        }
        return values;
    }

    /// <summary>
    /// Builds a header for tensors laid out contiguously in the given order, space-padded to a multiple of 8 bytes.
    /// Names must be unique and not <see cref="MetadataKey"/>.
    /// </summary>
    /// <returns>The 8-byte length prefix followed by the padded JSON.</returns>
    public static byte[] Build(IEnumerable<(string Name, SafeTensorsDType DType, IReadOnlyList<long> Shape)> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata)
    {
        using var ms = new MemoryStream();
        ms.Write(new byte[LengthPrefixBytes]);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            var meta = metadata?.ToList();
            if (meta is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var kv in meta) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape) in tensors)
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved for metadata.", nameof(tensors));
                if (!names.Add(name)) throw new ArgumentException($"Tensor '{name}' is given twice.", nameof(tensors));
                long bytes = checked(shape.Aggregate(1L, (a, b) => b < 0 ? throw new ArgumentException($"Tensor '{name}' has a negative dimension.", nameof(tensors)) : checked(a * b)) * dtype.ElementSize());
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype.ToTag());
                w.WriteStartArray("shape");
                foreach (var d in shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(checked(offset + bytes));
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        long json = ms.Length - LengthPrefixBytes;
        long padded = (json + 7) / 8 * 8;
        for (long i = json; i < padded; i++) ms.WriteByte((byte)' ');
        var result = ms.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        return result;
    }
}
