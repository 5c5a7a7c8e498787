namespace FaceCraft4D.Weights;

/// <summary>Formats tensor shapes for error messages and fixtures: <c>[320, 4, 3, 3]</c>.</summary>
public static class ShapeFormat
{
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
