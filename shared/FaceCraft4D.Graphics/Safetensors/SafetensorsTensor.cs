namespace FaceCraft4D.Graphics.Safetensors;

/// <summary>
/// One named tensor of a safetensors file: element type, shape and the raw little-endian bytes
/// (row-major, <c>shape</c> product times <see cref="SafetensorsDTypes.ElementSize"/> bytes).
/// </summary>
public sealed class SafetensorsTensor
{
    /// <summary>Creates an entry and checks that the byte count matches the shape.</summary>
    public SafetensorsTensor(string name, SafetensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == SafetensorsFile.MetadataKey)
            throw new ArgumentException($"'{SafetensorsFile.MetadataKey}' is reserved for metadata.", nameof(name));
        Name = name;
        DType = dtype;
        Shape = shape.ToArray();
        if (Shape.Any(d => d < 0)) throw new ArgumentException("Negative dimension in shape.", nameof(shape));
        long expected = ElementCount * dtype.ElementSize();
        if (expected != data.Length)
            throw new ArgumentException($"Tensor '{name}': {data.Length} bytes given, shape [{string.Join(",", Shape)}] of {dtype} needs {expected}.", nameof(data));
        Data = data;
    }

    /// <summary>Tensor name (header key).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>Shape, outermost dimension first.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Raw little-endian row-major bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
