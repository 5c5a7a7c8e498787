namespace FaceCraft4D.Animation.Rig;

/// <summary>
/// A named, basis-independent control of a driving clip at activation 1.
/// Expression controls are defined by where they move the iBUG-68 landmarks (millimetres in the FLAME frame: +x the
/// subject's left, +y up, +z forward); <see cref="ExpressionControlSolver"/> turns that into expression coefficients
/// of whichever head model is used. Pose controls add FLAME axis-angle rotations (radians) directly.
/// </summary>
/// <param name="Name">Control name as used in clip files (camelCase).</param>
/// <param name="Description">What it does.</param>
/// <param name="LandmarkTargets">iBUG index to displacement (mm) at activation 1; landmarks not listed should stay still.</param>
/// <param name="Jaw">Jaw rotation [3] at activation 1, or null.</param>
/// <param name="Neck">Neck rotation [3] at activation 1, or null.</param>
/// <param name="Eyes">Eye rotations [6] (left then right) at activation 1, or null.</param>
public sealed record SemanticControl(
    string Name,
    string Description,
    IReadOnlyDictionary<int, (float X, float Y, float Z)>? LandmarkTargets = null,
    float[]? Jaw = null,
    float[]? Neck = null,
    float[]? Eyes = null)
{
    /// <summary>True when the control acts through the expression basis.</summary>
    public bool IsExpression => LandmarkTargets is { Count: > 0 };
}
