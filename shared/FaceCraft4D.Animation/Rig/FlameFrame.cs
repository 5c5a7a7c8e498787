namespace FaceCraft4D.Animation.Rig;

/// <summary>
/// The per-frame FLAME parameters of an animated or tracked head (the identity and static offsets are shared and kept
/// elsewhere): expression coefficients, jaw, neck and eye rotations (axis-angle, radians) and translation (metres).
/// The global rotation is always zero: the head stays in the world frame and the cameras carry the viewpoint.
/// </summary>
/// <param name="Expression">Expression coefficients [E'] (FLAME order; missing ones are zero).</param>
/// <param name="Jaw">[3]</param>
/// <param name="Neck">[3]</param>
/// <param name="Eyes">[6], left eye then right eye.</param>
/// <param name="Translation">[3]</param>
public sealed record FlameFrame(float[] Expression, float[] Jaw, float[] Neck, float[] Eyes, float[] Translation)
{
    /// <summary>All zero with <paramref name="expressionCount"/> coefficients.</summary>
    public static FlameFrame Zero(int expressionCount) => new(new float[expressionCount], new float[3], new float[3], new float[6], new float[3]);

    /// <summary>Number of values of <see cref="ToVector"/>: E + 3 + 3 + 6 + 3.</summary>
    public static int VectorLength(int expressionCount) => expressionCount + 15;

    /// <summary>Sum of two frames (expression arrays padded with zeros to the longer one).</summary>
    public FlameFrame Plus(FlameFrame other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new FlameFrame(Add(Expression, other.Expression), Add(Jaw, other.Jaw), Add(Neck, other.Neck), Add(Eyes, other.Eyes), Add(Translation, other.Translation));
    }

    /// <summary>The same frame with exactly <paramref name="expressionCount"/> expression coefficients (truncated or zero-padded).</summary>
    public FlameFrame WithExpressionCount(int expressionCount)
    {
        var e = new float[expressionCount];
        Array.Copy(Expression, e, Math.Min(expressionCount, Expression.Length));
        return this with { Expression = e };
    }

    /// <summary>Concatenation [expression (E), jaw, neck, eyes, translation].</summary>
    public float[] ToVector(int expressionCount)
    {
        var v = new float[VectorLength(expressionCount)];
        Array.Copy(Expression, v, Math.Min(expressionCount, Expression.Length));
        Jaw.CopyTo(v, expressionCount);
        Neck.CopyTo(v, expressionCount + 3);
        Eyes.CopyTo(v, expressionCount + 6);
        Translation.CopyTo(v, expressionCount + 12);
        return v;
    }

    /// <summary>Inverse of <see cref="ToVector"/>.</summary>
    public static FlameFrame FromVector(ReadOnlySpan<float> v, int expressionCount)
    {
        if (v.Length != VectorLength(expressionCount)) throw new ArgumentException($"Expected {VectorLength(expressionCount)} values.", nameof(v));
        return new FlameFrame(v[..expressionCount].ToArray(), v.Slice(expressionCount, 3).ToArray(), v.Slice(expressionCount + 3, 3).ToArray(),
            v.Slice(expressionCount + 6, 6).ToArray(), v.Slice(expressionCount + 12, 3).ToArray());
    }

    private static float[] Add(float[] a, float[] b)
    {
        var r = new float[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < r.Length; i++) r[i] = (i < a.Length ? a[i] : 0f) + (i < b.Length ? b[i] : 0f);
        return r;
    }
}
