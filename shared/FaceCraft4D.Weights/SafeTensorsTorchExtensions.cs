using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights;

/// <summary>Conversions between <see cref="InMemorySafeTensor"/> and TorchSharp tensors.</summary>
public static class SafeTensorsTorchExtensions
{
    /// <summary>
    /// Creates a TorchSharp tensor from an entry, optionally converting it to <paramref name="dtype"/>
    /// and moving it to <paramref name="device"/>.
    /// </summary>
    public static Tensor ToTorch(this InMemorySafeTensor entry, Device? device = null, ScalarType? dtype = null)
    {
        var t = torch.empty(entry.Shape.ToArray(), entry.DType.ToScalarType());
        if (entry.Data.Length > 0) entry.Data.Span.CopyTo(t.bytes);
        if (dtype is { } d && d != t.dtype) { var c = t.to_type(d); t.Dispose(); t = c; }
        if (device is not null && device.type != DeviceType.CPU) { var m = t.to(device); t.Dispose(); t = m; }
        return t;
    }

    /// <summary>Gets a named tensor as a TorchSharp tensor (see <see cref="ToTorch"/>).</summary>
    public static Tensor GetTorch(this InMemorySafeTensors file, string name, Device? device = null, ScalarType? dtype = null)
        => file[name].ToTorch(device, dtype);

    /// <summary>Creates an entry holding a copy of a tensor's data (any device; copied to CPU, made contiguous).</summary>
    public static InMemorySafeTensor ToSafeTensor(this Tensor tensor, string name)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var bytes = cpu.numel() == 0 ? Array.Empty<byte>() : cpu.bytes.ToArray();
        return new InMemorySafeTensor(name, cpu.dtype.ToSafeTensorsDType(), cpu.shape, bytes);
    }

    /// <summary>Adds (or replaces) a tensor copied from TorchSharp.</summary>
    public static InMemorySafeTensors Add(this InMemorySafeTensors file, string name, Tensor tensor)
        => file.Add(tensor.ToSafeTensor(name));
}
