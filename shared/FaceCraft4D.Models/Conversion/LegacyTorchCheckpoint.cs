using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Models.Conversion;

/// <summary>
/// Reader of the legacy (pre-PyTorch 1.6, non-zip) <c>torch.save</c> format that older official weights use
/// (torchvision's 2017 ImageNet files, pytorch-fid's Inception, the lpips heads): five consecutive pickles — magic
/// number 0x1950a86a20f9469cfc6c, protocol version 1001, system info, the object (tensors refer to storages by
/// persistent id <c>('storage', type, key, location, numel, view)</c>), the sorted storage keys — then, per key, an
/// int64 element count and the raw little-endian data. Only state dicts (nested dicts of tensors) are accepted.
/// </summary>
public static class LegacyTorchCheckpoint
{
    private static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356");

    private const string NotAStateDict =
        "Not a torch.save state dict: a pickled network such as a StyleGAN/PanoHead .pkl needs its repository's own loader; " +
        "convert it with the recipe in infra/models/README.md and import the result";

    private sealed record StorageRef(string Key, ScalarType DType, long Count);

    private sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

    /// <summary>True when the stream starts like a pickle (protocol 2+): the legacy format.</summary>
    public static bool Looks(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5;

    /// <summary>The checkpoint as nested <see cref="Hashtable"/>s of tensors (the shape TorchSharp.PyBridge returns).</summary>
    public static Hashtable Read(Stream stream)
    {
        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        object? Plain(PickleGlobal g, object?[] args) => throw new InvalidDataException($"{NotAStateDict} (it starts with {g.FullName})");
        object? NoPersistent(object? pid) => throw new InvalidDataException(NotAStateDict);

        var magic = new PickleMachine(stream, Plain, NoPersistent).Load();
        if (magic is not (long or BigInteger) || ToBig(magic) != MagicNumber)
            throw new InvalidDataException($"{NotAStateDict} (no torch magic number)");
        var protocol = new PickleMachine(stream, Plain, NoPersistent).Load();
        if (protocol is not long p || p != 1001) throw new InvalidDataException($"Unsupported legacy torch protocol {protocol}.");
        if (new PickleMachine(stream, Plain, NoPersistent).Load() is Dictionary<object, object?> info
            && info.TryGetValue("little_endian", out var le) && le is false)
            throw new InvalidDataException("Big-endian torch files are not supported.");

        object? Reduce(PickleGlobal g, object?[] args) => g.FullName switch
        {
            "collections.OrderedDict" => new Dictionary<object, object?>(),
            "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor" => new TensorRef(
                args[0] as StorageRef ?? throw new InvalidDataException("Tensor without a storage."),
                Convert.ToInt64(args[1]), Longs(args[2]), Longs(args[3])),
            "torch._utils._rebuild_parameter" => args[0],
            _ => throw new InvalidDataException($"{g.FullName} is not part of a state dict (whole pickled networks are not read)."),
        };
        object? Persistent(object? pid)
        {
            if (pid is not object?[] { Length: >= 5 } t || t[0] is not "storage" || t[1] is not PickleGlobal type)
                throw new InvalidDataException("Unsupported persistent id (only tensor storages are read).");
            var key = t[2]?.ToString() ?? throw new InvalidDataException("Storage without a key.");
            if (t.Length > 5 && t[5] is not null) throw new InvalidDataException("Storage views of the oldest torch format are not supported.");
            if (!storages.TryGetValue(key, out var storage))
                storages[key] = storage = new StorageRef(key, DTypeOf(type.Name), Convert.ToInt64(t[4]));
            return storage;
        }

        var root = new PickleMachine(stream, Reduce, Persistent).Load();
        var keys = new PickleMachine(stream, Plain, NoPersistent).Load() as List<object?>
                   ?? throw new InvalidDataException("Legacy storage key list missing.");

        var data = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var count = new byte[8];
            foreach (var keyObject in keys)
            {
                var key = keyObject?.ToString() ?? string.Empty;
                if (!storages.TryGetValue(key, out var storage)) throw new InvalidDataException($"Storage {key} is not referenced.");
                stream.ReadExactly(count);
                long n = BinaryPrimitives.ReadInt64LittleEndian(count);
                var flat = torch.empty([n], storage.DType);
                if (n > 0)
                {
                    var bytes = new byte[checked(n * flat.ElementSize)];
                    stream.ReadExactly(bytes);
                    flat.bytes = bytes;
                }
                data[key] = flat;
            }
            return (Hashtable)Materialise(root, data)!;
        }
        finally
        {
            foreach (var t in data.Values) t.Dispose();
        }
    }

    private static object? Materialise(object? node, IReadOnlyDictionary<string, Tensor> data) => node switch
    {
        Dictionary<object, object?> dict => ToHashtable(dict, data),
        TensorRef t => data.TryGetValue(t.Storage.Key, out var flat)
            ? flat.as_strided(t.Size, t.Stride, t.Offset).contiguous().clone()
            : throw new InvalidDataException($"Storage {t.Storage.Key} has no data."),
        _ => node,
    };

    private static Hashtable ToHashtable(Dictionary<object, object?> dict, IReadOnlyDictionary<string, Tensor> data)
    {
        var table = new Hashtable();
        foreach (var (k, v) in dict)
            if (v is TensorRef or Dictionary<object, object?>) table[k.ToString()!] = Materialise(v, data);
        return table;
    }

    private static long[] Longs(object? o) => o is object?[] items ? items.Select(Convert.ToInt64).ToArray() : throw new InvalidDataException("Tensor size/stride is not a tuple.");

    private static BigInteger ToBig(object o) => o is BigInteger b ? b : new BigInteger((long)o);

    private static ScalarType DTypeOf(string storage) => storage switch
    {
        "FloatStorage" => ScalarType.Float32,
        "DoubleStorage" => ScalarType.Float64,
        "HalfStorage" => ScalarType.Float16,
        "BFloat16Storage" => ScalarType.BFloat16,
        "LongStorage" => ScalarType.Int64,
        "IntStorage" => ScalarType.Int32,
        "ShortStorage" => ScalarType.Int16,
        "CharStorage" => ScalarType.Int8,
        "ByteStorage" => ScalarType.Byte,
        "BoolStorage" => ScalarType.Bool,
        _ => throw new InvalidDataException($"Unsupported storage type {storage}."),
    };
}
