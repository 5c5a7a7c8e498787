using System.Buffers.Binary;
using System.Text;

namespace FaceCraft4D.Weights.Tests.Support;

/// <summary>Hand-made safetensors files (a header string and data bytes), straight from the format description.</summary>
public static class SafeTensorsBytes
{
    /// <param name="json">The header JSON.</param>
    /// <param name="data">Bytes after the header.</param>
    /// <param name="declaredHeaderLength">The 8-byte prefix value (default: the JSON's length).</param>
    public static byte[] Make(string json, byte[] data, ulong? declaredHeaderLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }
}
