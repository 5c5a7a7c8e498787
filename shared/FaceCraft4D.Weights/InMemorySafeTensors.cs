using System.Text;
using TorchSharp;

namespace FaceCraft4D.Weights;

/// <summary>
/// A whole safetensors file held in memory (format: README.md of this project): for the small files the project
/// writes and reads whole (avatar rigs, training state, FLAME, COIN appearance, animation clips, converted prior
/// weights). Built tensor by tensor and written in insertion order, or read from a stream (need not be seekable)
/// with the header checked by <see cref="SafeTensorsHeader"/>. Each tensor must be smaller than 2 GiB (a .NET array).
/// For multi-GB checkpoints read tensor by tensor use <see cref="SafeTensorsFile"/> / <see cref="SafeTensorsSource"/>.
/// </summary>
public sealed class InMemorySafeTensors
{
    private readonly List<InMemorySafeTensor> _tensors = new();
    private readonly Dictionary<string, InMemorySafeTensor> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>String metadata (<c>__metadata__</c>).</summary>
    public IDictionary<string, string> Metadata => _metadata;

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<InMemorySafeTensor> Tensors => _tensors;

    /// <summary>Names of all tensors.</summary>
    public IEnumerable<string> Names => _tensors.Select(t => t.Name);

    /// <summary>Gets a tensor by name; throws <see cref="KeyNotFoundException"/> naming the missing key.</summary>
    public InMemorySafeTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"Safetensors file has no tensor '{name}'.");

    /// <summary>True when a tensor of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Tries to get a tensor by name.</summary>
    public bool TryGet(string name, out InMemorySafeTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>Adds (or replaces) a tensor.</summary>
    public InMemorySafeTensors Add(InMemorySafeTensor tensor)
    {
        if (_byName.TryGetValue(tensor.Name, out var old)) _tensors.Remove(old);
        _tensors.Add(tensor);
        _byName[tensor.Name] = tensor;
        return this;
    }

    /// <summary>Adds a tensor from raw bytes.</summary>
    public InMemorySafeTensors Add(string name, SafeTensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
        => Add(new InMemorySafeTensor(name, dtype, shape, data));

    /// <summary>A module's state (parameters and persistent buffers, by their dotted names), copied to the CPU.</summary>
    public static InMemorySafeTensors FromStateDict(torch.nn.Module module, string? format = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = new InMemorySafeTensors();
        if (format is not null) file.Metadata["format"] = format;
        foreach (var (name, tensor) in module.state_dict()) file.Add(name, tensor);
        return file;
    }

    /// <summary>Reads a safetensors file from a stream (need not be seekable; a seekable one is checked against its length).</summary>
    public static async Task<InMemorySafeTensors> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        EnsureLittleEndian();
        string source = stream is FileStream fs ? fs.Name : "safetensors stream";
        long? total = stream.CanSeek ? stream.Length - stream.Position : null;
        var prefix = new byte[SafeTensorsHeader.LengthPrefixBytes];
        if (total is null or >= SafeTensorsHeader.LengthPrefixBytes)
        {
            int got = await stream.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (got < prefix.Length) total = got;
        }
        long headerLength = SafeTensorsHeader.ParseLength(prefix, total, source);
        var json = await ReadDeclaredAsync(stream, headerLength, total is not null, source, cancellationToken).ConfigureAwait(false);
        var header = SafeTensorsHeader.Parse(json, total - prefix.Length - headerLength, source);

        var file = new InMemorySafeTensors();
        foreach (var kv in header.Metadata) file._metadata[kv.Key] = kv.Value;
        foreach (var e in header.Entries) // contiguous, in data order
        {
            if (e.ByteLength > Array.MaxLength)
                throw new InvalidDataException($"{source}: tensor '{e.Name}' is {e.ByteLength} bytes; tensors over {Array.MaxLength} bytes are not supported in memory.");
            var data = await ReadDeclaredAsync(stream, e.ByteLength, total is not null, source, cancellationToken).ConfigureAwait(false);
            file.Add(new InMemorySafeTensor(e.Name, e.DType, e.Shape, data));
        }
        return file;
    }

    /// <summary>Reads a safetensors file from a path.</summary>
    public static async Task<InMemorySafeTensors> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await ReadAsync(fs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the file to a stream.</summary>
    public Task WriteAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        EnsureLittleEndian();
        return SafeTensorsWriter.WriteAsync(stream, _tensors, _metadata, cancellationToken);
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
        WriteAsync(ms).GetAwaiter().GetResult(); // a MemoryStream completes synchronously
        return ms.ToArray();
    }

    /// <summary>Parses a complete file held in memory.</summary>
    public static InMemorySafeTensors FromArray(byte[] bytes)
    {
        using var ms = new MemoryStream(bytes, writable: false);
        return ReadAsync(ms).GetAwaiter().GetResult(); // a MemoryStream completes synchronously
    }

    /// <summary>
    /// Reads <paramref name="length"/> declared bytes. When the stream's length is known the header was already checked
    /// against it and the buffer is allocated at once; otherwise (a network stream) it is read in chunks, so a header
    /// that lies about its sizes costs no more memory than the bytes actually sent before the stream ends.
    /// </summary>
    private static async Task<byte[]> ReadDeclaredAsync(Stream stream, long length, bool lengthChecked, string source, CancellationToken ct)
    {
        if (lengthChecked)
        {
            var buffer = new byte[length];
            await ReadExactlyAsync(stream, buffer, source, ct).ConfigureAwait(false);
            return buffer;
        }

        const int chunk = 1 << 20;
        using var received = new MemoryStream((int)Math.Min(length, chunk));
        var part = new byte[(int)Math.Min(length, chunk)];
        while (received.Length < length)
        {
            int read = await stream.ReadAsync(part.AsMemory(0, (int)Math.Min(part.Length, length - received.Length)), ct).ConfigureAwait(false);
            if (read == 0)
                throw new InvalidDataException(
                    $"{source}: the stream ends before the safetensors data it declares ({length} bytes declared, {received.Length} received).");
            received.Write(part, 0, read);
        }

        return received.Length == received.Capacity ? received.GetBuffer() : received.ToArray();
    }

    private static async Task ReadExactlyAsync(Stream stream, byte[] buffer, string source, CancellationToken ct)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"{source}: the stream ends before the safetensors data it declares.", ex);
        }
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
        foreach (var t in _tensors) sb.Append(t.Name).Append(' ').Append(t.DType).Append(' ').AppendLine(ShapeFormat.Format(t.Shape));
        return sb.ToString();
    }
}
