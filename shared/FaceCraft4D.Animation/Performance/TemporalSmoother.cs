namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// The fan-in's temporal filter: frames without a face are first filled by linear interpolation of the parameter vectors
/// between the nearest tracked frames (held constant before the first and after the last), then every parameter is
/// smoothed by a zero-phase (centred) Gaussian kernel, truncated at 3 sigma and renormalised at the clip ends:
/// sigma <see cref="PerformanceTrackerOptions.ExpressionSmoothingFrames"/> for expression, jaw and eyes,
/// <see cref="PerformanceTrackerOptions.PoseSmoothingFrames"/> for the head rotation and translation.
/// </summary>
public static class TemporalSmoother
{
    /// <summary>Gap-filled and smoothed frames (same order, <see cref="PerformanceFrame.Tracked"/> kept).</summary>
    public static IReadOnlyList<PerformanceFrame> Smooth(IReadOnlyList<PerformanceFrame> frames, double expressionSigma, double poseSigma)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var filled = FillGaps(frames);
        int n = filled.Count;
        if (n == 0) return filled;
        var vectors = filled.Select(f => f.ToVector()).ToArray();
        int length = vectors[0].Length, poseStart = length - 6;
        var output = new float[n][];
        for (int t = 0; t < n; t++) output[t] = new float[length];
        for (int c = 0; c < length; c++)
        {
            double sigma = c >= poseStart ? poseSigma : expressionSigma;
            var series = vectors.Select(v => (double)v[c]).ToArray();
            var smoothed = Gaussian(series, sigma);
            for (int t = 0; t < n; t++) output[t][c] = (float)smoothed[t];
        }
        return filled.Select((f, t) => f.WithVector(output[t])).ToArray();
    }

    /// <summary>Linear interpolation over untracked frames; throws when no frame is tracked.</summary>
    public static IReadOnlyList<PerformanceFrame> FillGaps(IReadOnlyList<PerformanceFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var tracked = Enumerable.Range(0, frames.Count).Where(i => frames[i].Tracked).ToArray();
        if (tracked.Length == 0) throw new InvalidOperationException("No frame of the video has a tracked face.");
        var result = frames.ToArray();
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].Tracked) continue;
            int next = Array.FindIndex(tracked, k => k > i);
            int before = next < 0 ? tracked[^1] : next == 0 ? -1 : tracked[next - 1];
            int after = next < 0 ? -1 : tracked[next];
            float[] v;
            if (before < 0) v = frames[after].ToVector();
            else if (after < 0) v = frames[before].ToVector();
            else
            {
                float a = (float)(i - before) / (after - before);
                var vb = frames[before].ToVector();
                var va = frames[after].ToVector();
                v = vb.Select((x, k) => x + a * (va[k] - x)).ToArray();
            }
            result[i] = frames[i].WithVector(v);
        }
        return result;
    }

    /// <summary>Centred Gaussian smoothing of a series (sigma in samples; 0 = unchanged).</summary>
    public static double[] Gaussian(IReadOnlyList<double> series, double sigma)
    {
        ArgumentNullException.ThrowIfNull(series);
        int n = series.Count;
        if (sigma <= 0 || n == 0) return series.ToArray();
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(k => Math.Exp(-0.5 * k * k / (sigma * sigma))).ToArray();
        var result = new double[n];
        for (int t = 0; t < n; t++)
        {
            double sum = 0, weight = 0;
            for (int k = -radius; k <= radius; k++)
            {
                int s = t + k;
                if (s < 0 || s >= n) continue;
                sum += kernel[k + radius] * series[s];
                weight += kernel[k + radius];
            }
            result[t] = sum / weight;
        }
        return result;
    }
}
