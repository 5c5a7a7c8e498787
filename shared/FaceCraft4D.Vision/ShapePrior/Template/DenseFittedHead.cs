namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Result of <see cref="FlameLandmarkFitter.FitDense"/>: the fitted head (its 68-landmark projection and RMS as in a
/// 68-point fit), the eye rotations and the projected dense points.
/// </summary>
/// <param name="Head">Shape, expression, jaw, pose and camera; FittedLandmarks/LandmarkRmsPixels over the iBUG 68.</param>
/// <param name="Eyes">Axis-angle of FLAME joints 3 and 4 (eyes), 6 values; zero unless the irises were fitted.</param>
/// <param name="FittedDense">Projected model points, x/y interleaved (pixel centres at +0.5), one per <paramref name="MeshIndices"/> entry.</param>
/// <param name="MeshIndices">FaceMesh landmark index of each fitted point.</param>
public sealed record DenseFittedHead(FittedHead Head, float[] Eyes, float[] FittedDense, int[] MeshIndices)
{
    /// <summary>Per-point reprojection errors (pixels) against FaceMesh landmarks x/y/z interleaved.</summary>
    public double[] DenseErrors(float[] denseLandmarks) =>
        MeshIndices.Select((m, k) => Math.Sqrt(Math.Pow(FittedDense[2 * k] - denseLandmarks[3 * m], 2) + Math.Pow(FittedDense[2 * k + 1] - denseLandmarks[3 * m + 1], 2))).ToArray();
}
