namespace FaceCraft4D.Metrics.Protocol;

/// <summary>
/// The FLAME pose/expression a view is rendered with: expression coefficients (FLAME's 100 (or 50) PCA components),
/// jaw pose (axis-angle, radians; x rotation opens the mouth), optional neck and eye poses (axis-angle; eyes as
/// 6 values, left then right). Empty arrays mean zeros (neutral).
/// </summary>
public sealed record FlameExpression(string Name, float[] Expression, float[] JawPose, float[]? NeckPose = null, float[]? EyePose = null)
{
    /// <summary>All zeros: the neutral face of the avatar.</summary>
    public static FlameExpression Neutral { get; } = new("neutral", [], []);
}
