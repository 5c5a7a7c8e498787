using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights;

/// <summary>
/// Lazy reader of one <c>.safetensors</c> file on disk: the header is parsed and checked by
/// <see cref="SafeTensorsHeader"/> on open, then tensors are read one at a time with positioned async reads, so a
/// multi-GB checkpoint is never held in memory whole. For small files read whole, see <see cref="InMemorySafeTensors"/>.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly long _dataOffset;

    private SafeTensorsFile(string path, SafeFileHandle handle, SafeTensorsHeader header)
    {
        Path = path;
        _handle = handle;
        _dataOffset = header.DataOffset;
        Entries = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Metadata = header.Metadata;
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
            var prefix = new byte[SafeTensorsHeader.LengthPrefixBytes];
            if (fileLength >= prefix.Length) await ReadExactlyAsync(handle, prefix, 0, cancellationToken).ConfigureAwait(false);
            long headerLength = SafeTensorsHeader.ParseLength(prefix, fileLength, path);
            var json = new byte[headerLength];
            await ReadExactlyAsync(handle, json, prefix.Length, cancellationToken).ConfigureAwait(false);
            var header = SafeTensorsHeader.Parse(json, fileLength - prefix.Length - headerLength, path);
            return new SafeTensorsFile(path, handle, header);
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
    /// <returns>a new tensor of the stored shape (the caller disposes it)</returns>
    public async Task<Tensor> ReadTensorAsync(string name, Device? device = null, ScalarType? dtype = null,
        CancellationToken cancellationToken = default)
    {
        if (!Entries.TryGetValue(name, out var entry))
            throw new KeyNotFoundException($"{Path}: no tensor named '{name}'.");
        if (entry.ByteLength > Array.MaxLength)
            throw new NotSupportedException($"{Path}: tensor '{name}' is {entry.ByteLength} bytes; tensors over {Array.MaxLength} bytes are not supported.");
        var bytes = new byte[entry.ByteLength];
        await ReadExactlyAsync(_handle, bytes, _dataOffset + entry.DataStart, cancellationToken).ConfigureAwait(false);
        var stored = entry.DType.ToScalarType();
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
