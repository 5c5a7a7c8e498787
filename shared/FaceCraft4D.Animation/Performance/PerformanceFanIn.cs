namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// The fan-in over a video's chunks: <see cref="Merge"/> blends the chunks' frames across their borders with the linear
/// cross-fade of <see cref="ChunkRange.Weight"/> (untracked contributions weigh 0), <see cref="TemporalSmoother"/> fills gaps
/// and smooths, and <see cref="Refine"/> is the global refinement pass: every tracked frame re-fitted to its landmarks from
/// the smoothed trajectory with the temporal term pulling toward it (so the per-frame fits agree with the smooth motion
/// while keeping what the landmarks say, e.g. fast mouth closures).
/// </summary>
public static class PerformanceFanIn
{
    /// <summary>The whole video, one frame per index, and the observation of every frame.</summary>
    public static (IReadOnlyList<PerformanceFrame> Frames, IReadOnlyList<FaceObservation> Observations) Merge(IReadOnlyList<PerformanceChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count == 0) throw new ArgumentException("No chunks.", nameof(chunks));
        int total = chunks[0].Range.TotalFrames;
        if (chunks.Any(c => c.Range.TotalFrames != total)) throw new InvalidDataException("The chunks disagree on the video's frame count.");
        var frames = new PerformanceFrame?[total];
        var observations = new FaceObservation?[total];
        for (int t = 0; t < total; t++)
        {
            var parts = chunks.Select(c => (Chunk: c, Index: t - c.Range.TrackFirst, Weight: c.Range.Weight(t)))
                .Where(p => p.Index >= 0 && p.Index < p.Chunk.Frames.Count && p.Weight > 0).ToArray();
            if (parts.Length == 0) throw new InvalidDataException($"No chunk covers frame {t}.");
            var main = parts.OrderByDescending(p => p.Weight).First();
            observations[t] = main.Chunk.Observations[main.Index];
            var tracked = parts.Where(p => p.Chunk.Frames[p.Index].Tracked).ToArray();
            if (tracked.Length == 0)
            {
                frames[t] = main.Chunk.Frames[main.Index] with { Frame = t };
                continue;
            }
            double weight = tracked.Sum(p => p.Weight);
            var first = tracked[0].Chunk.Frames[tracked[0].Index];
            var sum = new double[first.ToVector().Length];
            double error = 0;
            foreach (var p in tracked)
            {
                var f = p.Chunk.Frames[p.Index];
                var v = f.ToVector();
                if (v.Length != sum.Length) throw new InvalidDataException("The chunks disagree on the number of expression coefficients.");
                for (int k = 0; k < v.Length; k++) sum[k] += p.Weight / weight * v[k];
                error += p.Weight / weight * f.ErrorIod;
            }
            frames[t] = first.WithVector(sum.Select(x => (float)x).ToArray()) with { Frame = t, ErrorIod = error };
        }
        return (frames!, observations!);
    }

    /// <summary>Gap filling and smoothing with the options' sigmas.</summary>
    public static IReadOnlyList<PerformanceFrame> Smooth(IReadOnlyList<PerformanceFrame> frames, PerformanceTrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TemporalSmoother.Smooth(frames, options.ExpressionSmoothingFrames, options.PoseSmoothingFrames);
    }

    /// <summary>The global refinement pass over smoothed frames (tracked frames re-fitted; the others kept).</summary>
    public static IReadOnlyList<PerformanceFrame> Refine(PerformanceTracker tracker, IReadOnlyList<PerformanceFrame> smoothed,
        IReadOnlyList<FaceObservation> observations, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(smoothed);
        ArgumentNullException.ThrowIfNull(observations);
        var result = new PerformanceFrame[smoothed.Count];
        for (int t = 0; t < smoothed.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frame = smoothed[t];
            result[t] = frame.Tracked && observations[t].HasFace ? tracker.Refine(observations[t], frame, frame, cancellationToken) : frame;
            progress?.Report(t + 1);
        }
        return result;
    }

    /// <summary>Pearson correlation of two series over the indices where both are finite (NaN with fewer than 3 or no spread).</summary>
    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var pairs = Enumerable.Range(0, Math.Min(a.Count, b.Count)).Where(i => double.IsFinite(a[i]) && double.IsFinite(b[i])).Select(i => (a[i], b[i])).ToArray();
        if (pairs.Length < 3) return double.NaN;
        double ma = pairs.Average(p => p.Item1), mb = pairs.Average(p => p.Item2);
        double sab = pairs.Sum(p => (p.Item1 - ma) * (p.Item2 - mb));
        double saa = pairs.Sum(p => (p.Item1 - ma) * (p.Item1 - ma)), sbb = pairs.Sum(p => (p.Item2 - mb) * (p.Item2 - mb));
        return saa <= 0 || sbb <= 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }
}
