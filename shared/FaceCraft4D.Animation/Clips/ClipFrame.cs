namespace FaceCraft4D.Animation.Clips;

/// <summary>
/// One frame of a driving clip, relative to the subject's neutral (every value 0 = the fitted portrait). Any part may
/// be absent (null): <paramref name="Controls"/> are basis-independent semantic controls (see
/// <see cref="Rig.SemanticControls"/>), <paramref name="Expression"/> are FLAME expression coefficients by index in the
/// clip's <see cref="DrivingClip.ExpressionBasis"/>, and the poses are FLAME axis-angle vectors in radians.
/// </summary>
/// <param name="Controls">Semantic control activations (name to value, typically in [-1, 1]).</param>
/// <param name="Expression">Expression coefficients by FLAME index (E' values, E' at most the model's E).</param>
/// <param name="Jaw">Jaw rotation [3] (positive x opens the mouth).</param>
/// <param name="Neck">Neck rotation [3] (positive x nods the head down, positive y turns the face toward +x).</param>
/// <param name="Eyes">Eye rotations [6]: left eye then right eye.</param>
public sealed record ClipFrame(
    IReadOnlyDictionary<string, float>? Controls = null,
    float[]? Expression = null,
    float[]? Jaw = null,
    float[]? Neck = null,
    float[]? Eyes = null)
{
    /// <summary>The neutral frame.</summary>
    public static ClipFrame Neutral { get; } = new();

    /// <summary>Linear interpolation of every channel (missing values count as 0).</summary>
    public static ClipFrame Lerp(ClipFrame a, ClipFrame b, float t)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Dictionary<string, float>? controls = null;
        if (a.Controls is not null || b.Controls is not null)
        {
            controls = new Dictionary<string, float>(StringComparer.Ordinal);
            foreach (var name in (a.Controls?.Keys ?? []).Union(b.Controls?.Keys ?? [], StringComparer.Ordinal))
            {
                float va = a.Controls?.GetValueOrDefault(name) ?? 0f, vb = b.Controls?.GetValueOrDefault(name) ?? 0f;
                controls[name] = va + (vb - va) * t;
            }
        }
        return new ClipFrame(controls, Mix(a.Expression, b.Expression, t), Mix(a.Jaw, b.Jaw, t), Mix(a.Neck, b.Neck, t), Mix(a.Eyes, b.Eyes, t));
    }

    private static float[]? Mix(float[]? a, float[]? b, float t)
    {
        if (a is null && b is null) return null;
        int n = Math.Max(a?.Length ?? 0, b?.Length ?? 0);
        var r = new float[n];
        for (int i = 0; i < n; i++)
        {
            float va = a is not null && i < a.Length ? a[i] : 0f, vb = b is not null && i < b.Length ? b[i] : 0f;
            r[i] = va + (vb - va) * t;
        }
        return r;
    }
}
