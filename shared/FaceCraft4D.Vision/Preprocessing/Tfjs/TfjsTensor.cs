namespace FaceCraft4D.Vision.Preprocessing.Tfjs;

/// <summary>A decoded tfjs weight: float32 values in row-major order of the tfjs (TensorFlow) shape.</summary>
public sealed record TfjsTensor(string Name, int[] Shape, float[] Values)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
