namespace FaceCraft4D.Graphics.Safetensors;

/// <summary>
/// Element types of the safetensors format (the <c>dtype</c> strings of the header).
/// </summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 binary64, <c>"F64"</c>.</summary>
    F64,
    /// <summary>IEEE 754 binary32, <c>"F32"</c>.</summary>
    F32,
    /// <summary>IEEE 754 binary16, <c>"F16"</c>.</summary>
    F16,
    /// <summary>bfloat16, <c>"BF16"</c>.</summary>
    BF16,
    /// <summary>signed 64-bit integer, <c>"I64"</c>.</summary>
    I64,
    /// <summary>signed 32-bit integer, <c>"I32"</c>.</summary>
    I32,
    /// <summary>signed 16-bit integer, <c>"I16"</c>.</summary>
    I16,
    /// <summary>signed 8-bit integer, <c>"I8"</c>.</summary>
    I8,
    /// <summary>unsigned 8-bit integer, <c>"U8"</c>.</summary>
    U8,
    /// <summary>boolean stored as one byte, <c>"BOOL"</c>.</summary>
    BOOL,
}

/// <summary>Helpers for <see cref="SafetensorsDType"/>.</summary>
public static class SafetensorsDTypes
{
    /// <summary>Size in bytes of one element.</summary>
    public static int ElementSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.I16 => 2,
        SafetensorsDType.I8 or SafetensorsDType.U8 or SafetensorsDType.BOOL => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The header spelling of the dtype (<c>"F32"</c>, ...).</summary>
    public static string ToHeaderString(this SafetensorsDType dtype) => dtype.ToString();

    /// <summary>Parses a header dtype string; throws <see cref="InvalidDataException"/> for unsupported types.</summary>
    public static SafetensorsDType Parse(string text) => text switch
    {
        "F64" => SafetensorsDType.F64,
        "F32" => SafetensorsDType.F32,
        "F16" => SafetensorsDType.F16,
        "BF16" => SafetensorsDType.BF16,
        "I64" => SafetensorsDType.I64,
        "I32" => SafetensorsDType.I32,
        "I16" => SafetensorsDType.I16,
        "I8" => SafetensorsDType.I8,
        "U8" => SafetensorsDType.U8,
        "BOOL" => SafetensorsDType.BOOL,
        _ => throw new InvalidDataException($"Unsupported safetensors dtype '{text}'."),
    };
}
