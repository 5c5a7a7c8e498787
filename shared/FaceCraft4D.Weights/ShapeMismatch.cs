namespace FaceCraft4D.Weights;

/// <summary>A shape disagreement between a module's tensor and the stored one.</summary>
public sealed record ShapeMismatch(string Key, long[] Expected, long[] Stored)
{
    public override string ToString() => $"{Key}: module expects {ShapeFormat.Format(Expected)}, file has {ShapeFormat.Format(Stored)}";
}
