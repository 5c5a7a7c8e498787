namespace FaceCraft4D.Weights;

/// <summary>One tensor described by a safetensors header (already checked by <see cref="SafeTensorsHeader"/>).</summary>
/// <param name="Name">Parameter name exactly as stored (e.g. <c>down_blocks.0.resnets.0.conv1.weight</c>).</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Tensor shape, outermost dimension first (empty for a scalar).</param>
/// <param name="DataStart">Offset of the first data byte, relative to the start of the data buffer (after the header).</param>
/// <param name="DataEnd">Offset one past the last data byte, relative to the start of the data buffer.</param>
public sealed record SafeTensorEntry(string Name, SafeTensorsDType DType, long[] Shape, long DataStart, long DataEnd)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Number of data bytes.</summary>
    public long ByteLength => DataEnd - DataStart;

    /// <summary>Shape formatted as <c>[a, b, c]</c> for messages.</summary>
    public string ShapeText => ShapeFormat.Format(Shape);
}
