using System.Buffers.Binary;
using System.Text;

namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>
/// A minimal reader of the protocol-buffers wire format (varint, 64-bit, length-delimited and 32-bit fields), enough to
/// walk an ONNX <c>ModelProto</c> without a protobuf dependency. Each call to <see cref="TryNext"/> yields one field;
/// length-delimited payloads are slices of the underlying memory (no copy). Groups (wire types 3, 4) are refused.
/// </summary>
public ref struct ProtobufWireReader
{
    private readonly ReadOnlySpan<byte> data;
    private int position;

    /// <summary>Reads the fields of <paramref name="message"/>.</summary>
    public ProtobufWireReader(ReadOnlySpan<byte> message)
    {
        data = message;
        position = 0;
    }

    /// <summary>Field number of the current field.</summary>
    public int Field { get; private set; }

    /// <summary>Wire type of the current field (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).</summary>
    public int WireType { get; private set; }

    /// <summary>The value of a varint field (or the raw bits of a fixed field).</summary>
    public ulong Scalar { get; private set; }

    /// <summary>The payload of a length-delimited field.</summary>
    public ReadOnlySpan<byte> Bytes { get; private set; }

    /// <summary>Advances to the next field; false at the end of the message.</summary>
    public bool TryNext()
    {
        if (position >= data.Length) return false;
        ulong key = ReadVarint();
        Field = checked((int)(key >> 3));
        WireType = (int)(key & 7);
        Bytes = default;
        switch (WireType)
        {
            case 0:
                Scalar = ReadVarint();
                break;
            case 1:
                Need(8);
                Scalar = BinaryPrimitives.ReadUInt64LittleEndian(data[position..]);
                position += 8;
                break;
            case 2:
                ulong length = ReadVarint();
                if (length > (ulong)(data.Length - position))
                    throw new InvalidDataException($"protobuf field {Field} claims {length} bytes but only {data.Length - position} remain.");
                Bytes = data.Slice(position, (int)length);
                position += (int)length;
                break;
            case 5:
                Need(4);
                Scalar = BinaryPrimitives.ReadUInt32LittleEndian(data[position..]);
                position += 4;
                break;
            default:
                throw new InvalidDataException($"protobuf field {Field}: wire type {WireType} is not supported.");
        }
        return true;
    }

    /// <summary>The current length-delimited field as UTF-8 text.</summary>
    public readonly string Text => Encoding.UTF8.GetString(Bytes);

    /// <summary>The current 32-bit field as a float.</summary>
    public readonly float Float32 => BitConverter.Int32BitsToSingle((int)(uint)Scalar);

    /// <summary>Appends the varints of a packed repeated field (or the single varint of an unpacked one) to <paramref name="into"/>.</summary>
    public readonly void ReadInt64s(List<long> into)
    {
        if (WireType == 0) { into.Add((long)Scalar); return; }
        if (WireType != 2) throw new InvalidDataException($"protobuf field {Field}: expected varints, got wire type {WireType}.");
        var packed = new ProtobufWireReader(Bytes);
        while (packed.position < packed.data.Length) into.Add((long)packed.ReadVarint());
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            Need(1);
            byte b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw new InvalidDataException("protobuf varint longer than 10 bytes.");
    }

    private readonly void Need(int count)
    {
        if (data.Length - position < count) throw new InvalidDataException("protobuf message ends inside a field.");
    }
}
