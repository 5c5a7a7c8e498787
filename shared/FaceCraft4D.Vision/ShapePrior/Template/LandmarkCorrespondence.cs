namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Which iBUG-68 landmark each model landmark is. A FLAME-format model embeds either all 68 (the built-in
/// procedural head, FLAME's 68-point <c>landmark_embedding</c>) or FLAME's static 51 (iBUG 17..67, no jaw contour).
/// </summary>
public sealed class LandmarkCorrespondence
{
    private LandmarkCorrespondence(int[] ibugIndices) => IbugIndices = ibugIndices;

    /// <summary>iBUG index of model landmark k.</summary>
    public IReadOnlyList<int> IbugIndices { get; }

    /// <summary>Number of model landmarks.</summary>
    public int Count => IbugIndices.Count;

    /// <summary>The correspondence for a model with <paramref name="modelLandmarks"/> embedded landmarks.</summary>
    /// <exception cref="NotSupportedException">Neither 68 nor 51 landmarks.</exception>
    public static LandmarkCorrespondence ForModel(int modelLandmarks) => modelLandmarks switch
    {
        68 => new LandmarkCorrespondence(Enumerable.Range(0, 68).ToArray()),
        51 => new LandmarkCorrespondence(Enumerable.Range(17, 51).ToArray()),
        _ => throw new NotSupportedException(
            $"The head model embeds {modelLandmarks} landmarks; landmark fitting needs the iBUG 68 or FLAME's static 51 (iBUG 17-67)."),
    };
}
