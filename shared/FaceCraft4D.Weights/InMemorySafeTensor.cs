namespace FaceCraft4D.Weights;

/// <summary>
/// One named tensor of an <see cref="InMemorySafeTensors"/>: element type, shape and the raw little-endian bytes
/// (row-major, <c>shape</c> product times <see cref="SafeTensorsDTypes.ElementSize"/> bytes).
/// </summary>
public sealed class InMemorySafeTensor
{
    /// <summary>Creates an entry and checks that the byte count matches the shape.</summary>
    public InMemorySafeTensor(string name, SafeTensorsDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == SafeTensorsHeader.MetadataKey)
            throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for metadata.", nameof(name));
        Name = name;
        DType = dtype;
        Shape = shape.ToArray();
        if (Shape.Any(d => d < 0)) throw new ArgumentException("Negative dimension in shape.", nameof(shape));
        long expected = checked(ElementCount * dtype.ElementSize());
        if (expected != data.Length)
            throw new ArgumentException($"Tensor '{name}': {data.Length} bytes given, shape {ShapeFormat.Format(Shape)} of {dtype} needs {expected}.", nameof(data));
        Data = data;
    }

    /// <summary>Tensor name (header key).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>Shape, outermost dimension first.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Raw little-endian row-major bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
}
