namespace FaceCraft4D.Priors.Weights;

/// <summary>One tensor described by a safetensors header.</summary>
/// <param name="Name">Parameter name exactly as stored (e.g. <c>down_blocks.0.resnets.0.conv1.weight</c>).</param>
/// <param name="DType">Safetensors dtype tag: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL.</param>
/// <param name="Shape">Tensor shape.</param>
/// <param name="DataStart">Absolute byte offset of the first data byte in the file.</param>
/// <param name="DataEnd">Absolute byte offset one past the last data byte.</param>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long DataStart, long DataEnd)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Number of data bytes.</summary>
    public long ByteLength => DataEnd - DataStart;

    /// <summary>Shape formatted as <c>[a, b, c]</c> for messages.</summary>
    public string ShapeText => ShapeFormat.Format(Shape);
}
