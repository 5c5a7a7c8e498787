using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Safetensors;

/// <summary>Conversions between <see cref="SafetensorsTensor"/> and TorchSharp tensors.</summary>
public static class SafetensorsTorchExtensions
{
    /// <summary>The TorchSharp scalar type of a safetensors dtype.</summary>
    public static ScalarType ToScalarType(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F64 => ScalarType.Float64,
        SafetensorsDType.F32 => ScalarType.Float32,
        SafetensorsDType.F16 => ScalarType.Float16,
        SafetensorsDType.BF16 => ScalarType.BFloat16,
        SafetensorsDType.I64 => ScalarType.Int64,
        SafetensorsDType.I32 => ScalarType.Int32,
        SafetensorsDType.I16 => ScalarType.Int16,
        SafetensorsDType.I8 => ScalarType.Int8,
        SafetensorsDType.U8 => ScalarType.Byte,
        SafetensorsDType.BOOL => ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>The safetensors dtype of a TorchSharp scalar type.</summary>
    public static SafetensorsDType ToSafetensorsDType(this ScalarType type) => type switch
    {
        ScalarType.Float64 => SafetensorsDType.F64,
        ScalarType.Float32 => SafetensorsDType.F32,
        ScalarType.Float16 => SafetensorsDType.F16,
        ScalarType.BFloat16 => SafetensorsDType.BF16,
        ScalarType.Int64 => SafetensorsDType.I64,
        ScalarType.Int32 => SafetensorsDType.I32,
        ScalarType.Int16 => SafetensorsDType.I16,
        ScalarType.Int8 => SafetensorsDType.I8,
        ScalarType.Byte => SafetensorsDType.U8,
        ScalarType.Bool => SafetensorsDType.BOOL,
        _ => throw new NotSupportedException($"Tensor type {type} has no safetensors dtype."),
    };

    /// <summary>
    /// Creates a TorchSharp tensor from an entry, optionally converting it to <paramref name="dtype"/>
    /// and moving it to <paramref name="device"/>.
    /// </summary>
    public static Tensor ToTorch(this SafetensorsTensor entry, Device? device = null, ScalarType? dtype = null)
    {
        var t = torch.empty(entry.Shape.ToArray(), entry.DType.ToScalarType());
        if (entry.Data.Length > 0) entry.Data.Span.CopyTo(t.bytes);
        if (dtype is { } d && d != t.dtype) { var c = t.to_type(d); t.Dispose(); t = c; }
        if (device is not null && device.type != DeviceType.CPU) { var m = t.to(device); t.Dispose(); t = m; }
        return t;
    }

    /// <summary>Gets a named tensor as a TorchSharp tensor (see <see cref="ToTorch"/>).</summary>
    public static Tensor GetTorch(this SafetensorsFile file, string name, Device? device = null, ScalarType? dtype = null)
        => file[name].ToTorch(device, dtype);

    /// <summary>Creates an entry holding a copy of a tensor's data (any device; copied to CPU, made contiguous).</summary>
    public static SafetensorsTensor ToSafetensors(this Tensor tensor, string name)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var bytes = cpu.numel() == 0 ? Array.Empty<byte>() : cpu.bytes.ToArray();
        return new SafetensorsTensor(name, cpu.dtype.ToSafetensorsDType(), cpu.shape, bytes);
    }

    /// <summary>Adds (or replaces) a tensor copied from TorchSharp.</summary>
    public static SafetensorsFile Add(this SafetensorsFile file, string name, Tensor tensor)
        => file.Add(tensor.ToSafetensors(name));
}
