using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Weights;

/// <summary>
/// Reader of one <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header mapping each
/// tensor name to <c>{dtype, shape, data_offsets}</c> (offsets relative to the end of the header), then the raw
/// little-endian tensor data. Tensors are read one at a time with positioned async reads, so a multi-GB file is never
/// held in memory whole.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly SafeFileHandle _handle;

    private SafeTensorsFile(string path, SafeFileHandle handle, IReadOnlyDictionary<string, SafeTensorEntry> entries,
        IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>Path the file was opened from.</summary>
    public string Path { get; }

    /// <summary>Tensors by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries { get; }

    /// <summary>The optional <c>__metadata__</c> string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens a file and parses its header; throws <see cref="InvalidDataException"/> on a malformed file.</summary>
    public static async Task<SafeTensorsFile> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.RandomAccess);
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8) throw new InvalidDataException($"{path}: too short to be a safetensors file ({fileLength} bytes).");
            var lengthBytes = new byte[8];
            await ReadExactlyAsync(handle, lengthBytes, 0, cancellationToken).ConfigureAwait(false);
            long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
                throw new InvalidDataException($"{path}: invalid safetensors header length {headerLength} (file is {fileLength} bytes).");
            var headerBytes = new byte[headerLength];
            await ReadExactlyAsync(handle, headerBytes, 8, cancellationToken).ConfigureAwait(false);
            var (entries, metadata) = ParseHeader(path, headerBytes, 8 + headerLength, fileLength);
            return new SafeTensorsFile(path, handle, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads one tensor onto <paramref name="device"/>, converted to <paramref name="dtype"/> when given.
    /// </summary>
    public async Task<Tensor> ReadTensorAsync(string name, Device? device = null, ScalarType? dtype = null,
        CancellationToken cancellationToken = default)
    {
        if (!Entries.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"{Path}: no tensor named '{name}'.");
        var bytes = new byte[entry.ByteLength];
        await ReadExactlyAsync(_handle, bytes, entry.DataStart, cancellationToken).ConfigureAwait(false);
        var stored = SafeTensorsDType.ToScalarType(entry.DType);
        var cpu = torch.empty(entry.Shape, stored, torch.CPU);
        if (bytes.Length > 0) cpu.bytes = bytes;
        var target = dtype ?? stored;
        var targetDevice = device ?? torch.CPU;
        if (target == stored && targetDevice.type == DeviceType.CPU) return cpu;
        var moved = cpu.to(target, targetDevice);
        cpu.Dispose();
        return moved;
    }

    public void Dispose() => _handle.Dispose();

    private static (Dictionary<string, SafeTensorEntry>, Dictionary<string, string>) ParseHeader(
        string path, byte[] headerBytes, long dataStart, long fileLength)
    {
        var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(headerBytes);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: safetensors header is not a JSON object.");
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (var m in property.Value.EnumerateObject())
                    metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                continue;
            }
            var v = property.Value;
            if (!v.TryGetProperty("dtype", out var dtypeEl) || !v.TryGetProperty("shape", out var shapeEl)
                || !v.TryGetProperty("data_offsets", out var offsetsEl))
                throw new InvalidDataException($"{path}: tensor '{property.Name}' lacks dtype, shape or data_offsets.");
            string dtype = dtypeEl.GetString() ?? "";
            long[] shape = shapeEl.EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] offsets = offsetsEl.EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                throw new InvalidDataException($"{path}: tensor '{property.Name}' has invalid data_offsets.");
            var entry = new SafeTensorEntry(property.Name, dtype, shape, dataStart + offsets[0], dataStart + offsets[1]);
            if (entry.DataEnd > fileLength)
                throw new InvalidDataException($"{path}: tensor '{property.Name}' extends past the end of the file.");
            long expected = entry.ElementCount * SafeTensorsDType.ElementSize(dtype);
            if (expected != entry.ByteLength)
                throw new InvalidDataException(
                    $"{path}: tensor '{property.Name}' {dtype}{entry.ShapeText} needs {expected} bytes but data_offsets span {entry.ByteLength}.");
            entries[property.Name] = entry;
        }
        return (entries, metadata);
    }

    private static async Task ReadExactlyAsync(SafeFileHandle handle, byte[] buffer, long fileOffset, CancellationToken ct)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(done), fileOffset + done, ct).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException($"Unexpected end of file at offset {fileOffset + done}.");
            done += n;
        }
    }
}
