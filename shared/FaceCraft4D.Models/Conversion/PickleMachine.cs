using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace FaceCraft4D.Models.Conversion;

/// <summary>A reference to a Python global (<c>module.name</c>) met in a pickle.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>
/// A restricted pickle reader (protocols 0-4 opcodes that state dicts use): builds dicts, lists, tuples, numbers and
/// strings, and hands globals and persistent ids to callbacks; it never imports or runs anything. Reads exactly one
/// pickle (up to STOP) from the stream, so several can follow each other as in the legacy torch format.
/// </summary>
internal sealed class PickleMachine(Stream stream, Func<PickleGlobal, object?[], object?> reduce, Func<object?, object?> persistentLoad)
{
    private static readonly object Mark = new();
    private readonly List<object?> stack = [];
    private readonly Dictionary<long, object?> memo = [];

    public object? Load()
    {
        stack.Clear();
        while (true)
        {
            int op = stream.ReadByte();
            switch (op)
            {
                case -1: throw new InvalidDataException("Pickle ended before STOP.");
                case 0x80: stream.ReadByte(); break;                                  // PROTO
                case 0x95: ReadBytes(8); break;                                       // FRAME
                case '.': return Pop();                                               // STOP
                case '(': stack.Add(Mark); break;                                     // MARK
                case '0': Pop(); break;                                               // POP
                case '1': PopMark(); break;                                           // POP_MARK
                case '2': stack.Add(stack[^1]); break;                                // DUP
                case 'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case 'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case 'K': stack.Add((long)ReadBytes(1)[0]); break;
                case 'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case 0x8a: stack.Add(Long(ReadBytes(ReadBytes(1)[0]))); break;       // LONG1
                case 0x8b: stack.Add(Long(ReadBytes(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))))); break;
                case 'I': stack.Add(ParseInt(ReadLine())); break;
                case 'L': stack.Add(ParseInt(ReadLine().TrimEnd('L'))); break;
                case 'F': stack.Add(double.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture)); break;
                case 'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
                case 'X': stack.Add(Encoding.UTF8.GetString(ReadBytes(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))))); break;
                case 0x8c: stack.Add(Encoding.UTF8.GetString(ReadBytes(ReadBytes(1)[0]))); break;
                case 0x8d: stack.Add(Encoding.UTF8.GetString(ReadBytes(checked((int)BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8)))))); break;
                case 'T': stack.Add(Encoding.Latin1.GetString(ReadBytes(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))))); break;
                case 'U': stack.Add(Encoding.Latin1.GetString(ReadBytes(ReadBytes(1)[0]))); break;
                case 'S': stack.Add(ReadLine().Trim('\'', '"')); break;
                case 'V': stack.Add(ReadLine()); break;
                case 'B': stack.Add(ReadBytes(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)))); break;
                case 'C': stack.Add(ReadBytes(ReadBytes(1)[0])); break;
                case 0x8e: stack.Add(ReadBytes(checked((int)BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8))))); break;
                case '}': stack.Add(new Dictionary<object, object?>()); break;
                case ']': stack.Add(new List<object?>()); break;
                case ')': stack.Add(Array.Empty<object?>()); break;
                case 'd': stack.Add(ToDict(PopMark())); break;
                case 'l': stack.Add(PopMark().ToList()); break;
                case 't': stack.Add(PopMark()); break;
                case 0x85: stack.Add(new[] { Pop() }); break;
                case 0x86: { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                case 'a': { var v = Pop(); AsList(stack[^1]).Add(v); break; }
                case 'e': { var items = PopMark(); AsList(stack[^1]).AddRange(items); break; }
                case 's': { var v = Pop(); var k = Pop(); AsDict(stack[^1])[Key(k)] = v; break; }
                case 'u': { var items = PopMark(); var d = AsDict(stack[^1]); for (int i = 0; i + 1 < items.Length; i += 2) d[Key(items[i])] = items[i + 1]; break; }
                case 'p': memo[long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture)] = stack[^1]; break;
                case 'q': memo[ReadBytes(1)[0]] = stack[^1]; break;
                case 'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = stack[^1]; break;
                case 0x94: memo[memo.Count] = stack[^1]; break;                       // MEMOIZE
                case 'g': stack.Add(memo[long.Parse(ReadLine(), System.Globalization.CultureInfo.InvariantCulture)]); break;
                case 'h': stack.Add(memo[ReadBytes(1)[0]]); break;
                case 'j': stack.Add(memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))]); break;
                case 'c': { var module = ReadLine(); var name = ReadLine(); stack.Add(new PickleGlobal(module, name)); break; }
                case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; stack.Add(new PickleGlobal(module, name)); break; }
                case 'R': { var args = Pop() as object?[] ?? []; var callable = Pop(); stack.Add(Call(callable, args)); break; }
                case 0x81: { var args = Pop() as object?[] ?? []; var cls = Pop(); stack.Add(Call(cls, args)); break; }
                case 'b': Pop(); break;                                               // BUILD: state (e.g. OrderedDict._metadata) is not needed
                case 'Q': stack.Add(persistentLoad(Pop())); break;
                case 'P': stack.Add(persistentLoad(ReadLine())); break;
                default: throw new InvalidDataException($"Unsupported pickle opcode 0x{op:x2} at byte {stream.Position - 1}.");
            }
        }
    }

    private object? Call(object? callable, object?[] args) => callable is PickleGlobal g
        ? reduce(g, args)
        : throw new InvalidDataException("A pickle calls something that is not a global.");

    private object? Pop()
    {
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private object?[] PopMark()
    {
        int i = stack.LastIndexOf(Mark);
        if (i < 0) throw new InvalidDataException("Pickle MARK missing.");
        var items = stack.Skip(i + 1).ToArray();
        stack.RemoveRange(i, stack.Count - i);
        return items;
    }

    private static Dictionary<object, object?> ToDict(object?[] items)
    {
        var d = new Dictionary<object, object?>();
        for (int i = 0; i + 1 < items.Length; i += 2) d[Key(items[i])] = items[i + 1];
        return d;
    }

    private static object Key(object? k) => k ?? throw new InvalidDataException("A pickled dict has a None key.");

    private static List<object?> AsList(object? o) => o as List<object?> ?? throw new InvalidDataException("APPEND on something that is not a list.");

    private static Dictionary<object, object?> AsDict(object? o) => o as Dictionary<object, object?> ?? throw new InvalidDataException("SETITEM on something that is not a dict.");

    private static object Long(byte[] littleEndian)
    {
        var value = new BigInteger(littleEndian, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private static object ParseInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is var v && v >= long.MinValue && v <= long.MaxValue ? (long)v : v,
    };

    private byte[] ReadBytes(int count)
    {
        var buffer = new byte[count];
        stream.ReadExactly(buffer);
        return buffer;
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        for (int b = stream.ReadByte(); b != '\n'; b = stream.ReadByte())
        {
            if (b < 0) throw new InvalidDataException("Pickle ended inside a text argument.");
            bytes.Add((byte)b);
        }
        return Encoding.UTF8.GetString([.. bytes]).TrimEnd('\r');
    }
}
