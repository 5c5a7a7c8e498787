using TorchSharp;

namespace FaceCraft4D.Weights;

/// <summary>
/// Element types of the safetensors format (the <c>dtype</c> strings of the header) that TorchSharp can hold.
/// </summary>
public enum SafeTensorsDType
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

/// <summary>The one dtype table: header tags, element sizes and TorchSharp scalar types of <see cref="SafeTensorsDType"/>.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>Size in bytes of one element.</summary>
    public static int ElementSize(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 => 2,
        SafeTensorsDType.I8 or SafeTensorsDType.U8 or SafeTensorsDType.BOOL => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The header spelling of the dtype (<c>"F32"</c>, ...).</summary>
    public static string ToTag(this SafeTensorsDType dtype) => dtype switch
    {
        >= SafeTensorsDType.F64 and <= SafeTensorsDType.BOOL => dtype.ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>Parses a header dtype tag; throws <see cref="InvalidDataException"/> for unsupported types.</summary>
    public static SafeTensorsDType Parse(string tag) => tag switch
    {
        "F64" => SafeTensorsDType.F64,
        "F32" => SafeTensorsDType.F32,
        "F16" => SafeTensorsDType.F16,
        "BF16" => SafeTensorsDType.BF16,
        "I64" => SafeTensorsDType.I64,
        "I32" => SafeTensorsDType.I32,
        "I16" => SafeTensorsDType.I16,
        "I8" => SafeTensorsDType.I8,
        "U8" => SafeTensorsDType.U8,
        "BOOL" => SafeTensorsDType.BOOL,
        _ => throw new InvalidDataException($"Unsupported safetensors dtype '{tag}'."),
    };

    /// <summary>The TorchSharp scalar type of a safetensors dtype.</summary>
    public static torch.ScalarType ToScalarType(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 => torch.ScalarType.Float64,
        SafeTensorsDType.F32 => torch.ScalarType.Float32,
        SafeTensorsDType.F16 => torch.ScalarType.Float16,
        SafeTensorsDType.BF16 => torch.ScalarType.BFloat16,
        SafeTensorsDType.I64 => torch.ScalarType.Int64,
        SafeTensorsDType.I32 => torch.ScalarType.Int32,
        SafeTensorsDType.I16 => torch.ScalarType.Int16,
        SafeTensorsDType.I8 => torch.ScalarType.Int8,
        SafeTensorsDType.U8 => torch.ScalarType.Byte,
        SafeTensorsDType.BOOL => torch.ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The safetensors dtype of a TorchSharp scalar type.</summary>
    public static SafeTensorsDType ToSafeTensorsDType(this torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 => SafeTensorsDType.F64,
        torch.ScalarType.Float32 => SafeTensorsDType.F32,
        torch.ScalarType.Float16 => SafeTensorsDType.F16,
        torch.ScalarType.BFloat16 => SafeTensorsDType.BF16,
        torch.ScalarType.Int64 => SafeTensorsDType.I64,
        torch.ScalarType.Int32 => SafeTensorsDType.I32,
        torch.ScalarType.Int16 => SafeTensorsDType.I16,
        torch.ScalarType.Int8 => SafeTensorsDType.I8,
        torch.ScalarType.Byte => SafeTensorsDType.U8,
        torch.ScalarType.Bool => SafeTensorsDType.BOOL,
        _ => throw new NotSupportedException($"TorchSharp dtype {type} has no safetensors dtype."),
    };
}
