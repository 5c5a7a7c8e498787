namespace FaceCraft4D.Animation.Clips;

/// <summary>
/// A scalar curve through keyframes (time in seconds, value), eased between keys with smoothstep (zero slope at every
/// key) and held constant before the first and after the last key. Used to author the bundled clips.
/// </summary>
public sealed class KeyframeCurve
{
    private readonly (double T, double V)[] keys;

    /// <summary>Creates a curve; keys are sorted by time.</summary>
    public KeyframeCurve(params (double T, double V)[] keys)
    {
        if (keys.Length == 0) throw new ArgumentException("A curve needs at least one key.", nameof(keys));
        this.keys = keys.OrderBy(k => k.T).ToArray();
    }

    /// <summary>The value at time <paramref name="t"/>.</summary>
    public double At(double t)
    {
        if (t <= keys[0].T) return keys[0].V;
        for (int i = 1; i < keys.Length; i++)
        {
            if (t > keys[i].T) continue;
            var (t0, v0) = keys[i - 1];
            var (t1, v1) = keys[i];
            double s = t1 > t0 ? (t - t0) / (t1 - t0) : 1;
            s = s * s * (3 - 2 * s);
            return v0 + (v1 - v0) * s;
        }
        return keys[^1].V;
    }

    /// <summary>A pulse: 0 until <paramref name="start"/>, up to <paramref name="peak"/> over <paramref name="rise"/>, held for
    /// <paramref name="hold"/>, back to 0 over <paramref name="fall"/>.</summary>
    public static KeyframeCurve Pulse(double start, double rise, double hold, double fall, double peak) =>
        new((0, 0), (start, 0), (start + rise, peak), (start + rise + hold, peak), (start + rise + hold + fall, 0));
}
