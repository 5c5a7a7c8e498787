namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Settings of <see cref="FlameLandmarkFitter"/> (bind from configuration). The energy is
/// sum_i w_i |pi(x_i) - l_i|^2 / s^2 + ShapeRegularization |beta|^2 + ExpressionRegularization |psi|^2 + JawRegularization jaw^2,
/// with s the inter-ocular distance in pixels, w_i = <see cref="ContourWeight"/> for the jaw contour (iBUG 0-16)
/// and 1 otherwise.
/// </summary>
public sealed class LandmarkFitOptions
{
    /// <summary>Adam iterations of the rigid stage (camera only, mean shape).</summary>
    public int RigidIterations { get; set; } = 150;

    /// <summary>Adam iterations of the full stage (camera, shape, expression, jaw).</summary>
    public int FullIterations { get; set; } = 350;

    /// <summary>Adam learning rate (parameters are scaled so one unit is ~10 px, 1 rad, 100 % depth or 1 sigma).</summary>
    public double LearningRate { get; set; } = 0.03;

    /// <summary>Learning rate at the end of each stage, as a fraction of <see cref="LearningRate"/> (exponential decay).</summary>
    public double FinalLearningRateFraction { get; set; } = 0.05;

    /// <summary>Identity components fitted (at most the model's).</summary>
    public int ShapeComponents { get; set; } = 100;

    /// <summary>Expression components fitted (at most the model's).</summary>
    public int ExpressionComponents { get; set; } = 50;

    /// <summary>Weight of |beta|^2 (FLAME components are standardised: beta ~ N(0, 1)).</summary>
    public double ShapeRegularization { get; set; } = 2e-3;

    /// <summary>Weight of |psi|^2.</summary>
    public double ExpressionRegularization { get; set; } = 2e-3;

    /// <summary>Weight of the jaw opening squared (radians).</summary>
    public double JawRegularization { get; set; } = 1e-2;

    /// <summary>Largest jaw opening, radians.</summary>
    public double MaxJawOpening { get; set; } = 0.35;

    /// <summary>Fit the jaw opening (rotation about x).</summary>
    public bool FitJaw { get; set; } = true;

    /// <summary>Fit the eye rotations in a dense fit whose correspondence has the iris centres.</summary>
    public bool FitEyes { get; set; } = true;

    /// <summary>Weight of |eyes|^2 (radians) in a dense fit.</summary>
    public double EyeRegularization { get; set; } = 1e-4;

    /// <summary>Largest eye rotation about x or y, radians.</summary>
    public double MaxEyeRotation { get; set; } = 0.5;

    /// <summary>Relative weight of each iris centre in a dense fit (against 1 for a mesh point).</summary>
    public double IrisWeight { get; set; } = 4.0;

    /// <summary>
    /// Weight of the 68-landmark data term inside a dense fit (0: the dense points alone; 1: both terms count as much,
    /// each normalised to 68 point-equivalents). FaceMesh pins the inner face; face-api.js' 68 include the outer jaw
    /// line where the procedural head's few identity components otherwise narrow the face (see the README).
    /// </summary>
    public double SparseWeightInDenseFit { get; set; } = 1.0;

    /// <summary>Relative weight of the jaw-contour landmarks, whose image position depends on the silhouette.</summary>
    public double ContourWeight { get; set; } = 0.5;
}
