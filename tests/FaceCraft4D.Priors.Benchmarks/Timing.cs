using System.Diagnostics;

namespace FaceCraft4D.Priors.Benchmarks;

/// <summary>Wall-clock timing: one warm-up call, then the median of <c>runs</c> calls.</summary>
public static class Timing
{
    public static double MedianSeconds(Action action, int runs)
    {
        action();
        var samples = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            samples.Add(sw.Elapsed.TotalSeconds);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }

    public static string Format(double seconds) => seconds >= 1 ? $"{seconds:F2} s" : $"{seconds * 1000:F1} ms";
}
