using FaceCraft4D.Animation.Rig;

namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// Puts a tracked performance on the avatar. <b>Relative</b> (default, as LivePortrait transfers motion): the video's
/// reference frame (<see cref="ReferenceFrame"/>) is taken as the performer's neutral and every frame's difference from
/// it is added to the avatar's neutral: expression = avatar + (psi_t - psi_ref), jaw opening = max(0, avatar + (jaw_t -
/// jaw_ref)), eyes = avatar + (eyes_t - eyes_ref), neck = R_t R_ref^T (the head's rotation since the reference frame),
/// translation = D (t_t - t_ref) clamped to <see cref="PerformanceTrackerOptions.MaxTranslation"/> per axis. So a
/// performer whose resting face differs from the avatar's (a different identity, a slight smile) does not imprint it.
/// <b>Absolute</b>: expression, jaw, eyes as tracked, neck = R_t (the rotation away from facing the camera),
/// translation 0. The head rotation goes to the neck joint (the global rotation stays 0: landmarks on a face cannot
/// separate the two, and the avatar's camera stays put).
/// </summary>
public static class ExpressionTransfer
{
    /// <summary>
    /// The reference frame of relative transfer, by a stated rule: among the tracked frames within the first
    /// <paramref name="seconds"/> s (all tracked frames when none is), the one with the smallest
    /// <c>((jaw_t - min jaw) / 0.05 rad)^2 + |psi_t - median psi|^2 / E'</c> over those candidates: the most closed mouth
    /// and the expression nearest the performer's typical one (values are compared within the window because a performer
    /// fitted with the avatar's identity carries an offset in both). Ties: the earliest.
    /// </summary>
    public static int ReferenceFrame(IReadOnlyList<PerformanceFrame> frames, double fps, double seconds)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int window = (int)Math.Ceiling(Math.Max(0, seconds) * fps);
        var candidates = frames.Where(f => f.Tracked && f.Frame < Math.Max(1, window)).ToArray();
        if (candidates.Length == 0) candidates = frames.Where(f => f.Tracked).ToArray();
        if (candidates.Length == 0) throw new InvalidOperationException("No frame of the video has a tracked face.");
        double minJaw = candidates.Min(f => f.Jaw[0]);
        int e = candidates[0].Expression.Length;
        var median = Enumerable.Range(0, e).Select(k => Median(candidates.Select(f => (double)f.Expression[k]))).ToArray();
        return candidates.OrderBy(f => Score(f, minJaw, median)).ThenBy(f => f.Frame).First().Frame;
    }

    /// <summary>The rule's score of a frame given the window's smallest jaw opening and median expression.</summary>
    public static double Score(PerformanceFrame frame, double minJaw, IReadOnlyList<double> medianExpression)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(medianExpression);
        int n = Math.Min(frame.Expression.Length, medianExpression.Count);
        double e = n == 0 ? 0 : Enumerable.Range(0, n).Sum(k => Math.Pow(frame.Expression[k] - medianExpression[k], 2)) / n;
        return e + Math.Pow((frame.Jaw[0] - minJaw) / 0.05, 2);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The avatar's frames for every tracked frame.</summary>
    /// <param name="frames">Smoothed, refined frames of the whole video.</param>
    /// <param name="mode">Relative or absolute.</param>
    /// <param name="reference">Index into <paramref name="frames"/> of the reference frame (relative mode).</param>
    /// <param name="avatarNeutral">The avatar's neutral frame (its portrait's expression, jaw and eyes).</param>
    /// <param name="expressionCount">Expression coefficients of the output (the avatar model's).</param>
    /// <param name="maxTranslation">Per-axis clamp of the relative translation, metres.</param>
    public static IReadOnlyList<FlameFrame> Apply(IReadOnlyList<PerformanceFrame> frames, ExpressionTransferMode mode, int reference,
        FlameFrame avatarNeutral, int expressionCount, double maxTranslation)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(avatarNeutral);
        var neutral = avatarNeutral.WithExpressionCount(expressionCount);
        var result = new List<FlameFrame>(frames.Count);
        if (mode == ExpressionTransferMode.Absolute)
        {
            foreach (var f in frames)
                result.Add(new FlameFrame(Resize(f.Expression, expressionCount), [Math.Max(0, f.Jaw[0]), f.Jaw[1], f.Jaw[2]], f.Rotation.ToArray(), f.Eyes.ToArray(), [0, 0, 0]));
            return result;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(reference);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(reference, frames.Count);
        var r = frames[reference];
        var refRotation = AxisAngle.ToMatrix(r.Rotation);
        foreach (var f in frames)
        {
            var e = new float[expressionCount];
            for (int k = 0; k < expressionCount; k++)
                e[k] = neutral.Expression[k] + (k < f.Expression.Length ? f.Expression[k] - r.Expression[k] : 0);
            var jaw = new[] { Math.Max(0, neutral.Jaw[0] + f.Jaw[0] - r.Jaw[0]), neutral.Jaw[1], neutral.Jaw[2] };
            var eyes = Enumerable.Range(0, 6).Select(k => neutral.Eyes[k] + f.Eyes[k] - r.Eyes[k]).ToArray();
            var neck = AxisAngle.FromMatrix(AxisAngle.Multiply(AxisAngle.ToMatrix(f.Rotation), AxisAngle.Transpose(refRotation)));
            float Clamp(double v) => (float)Math.Clamp(v, -maxTranslation, maxTranslation);
            // D = diag(1, -1, -1): camera-axis motion to FLAME axes.
            var translation = new[] { Clamp(f.Translation[0] - r.Translation[0]), Clamp(-(f.Translation[1] - r.Translation[1])), Clamp(-(f.Translation[2] - r.Translation[2])) };
            result.Add(new FlameFrame(e, jaw, neck, eyes, translation));
        }
        return result;
    }

    private static float[] Resize(float[] values, int n)
    {
        var r = new float[n];
        Array.Copy(values, r, Math.Min(n, values.Length));
        return r;
    }
}
