using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Graphics.Splatting;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// The machine's own arithmetic limit, measured: float32 fused multiply-add throughput and vectorised exp throughput
/// (System.Numerics.Vector and <see cref="VectorExp"/>: the same vectors and exp the SIMD rasterizer uses) on all cores at once. Each worker runs
/// independent dependency chains (enough to cover FMA latency), so the figure is throughput, not latency.
/// </summary>
public sealed class CpuThroughputProbe
{
    /// <summary>
    /// Measured limits: lane FMAs and lane exps per wall second (all threads) and per CPU second (one core's rate, from the
    /// process CPU time: steady on a shared machine where wall time includes waiting for a core).
    /// </summary>
    public sealed record Limits(double FmaPerSecond, double ExpPerSecond, double FmaPerCpuSecond, double ExpPerCpuSecond, int Lanes, int Threads);

    private const int Chains = 12;

    /// <summary>Best of <paramref name="rounds"/> runs of each probe (about 0.1-0.3 s each on a quiet core).</summary>
    public Limits Measure(int threads, int rounds = 3)
    {
        double fma = 0, exp = 0, fmaCpu = 0, expCpu = 0;
        for (int i = 0; i < rounds; i++)
        {
            var f = Run(threads, FmaWorker, 4_000_000);
            var e = Run(threads, ExpWorker, 400_000);
            fma = Math.Max(fma, f.PerWall); fmaCpu = Math.Max(fmaCpu, f.PerCpu);
            exp = Math.Max(exp, e.PerWall); expCpu = Math.Max(expCpu, e.PerCpu);
        }
        return new Limits(fma, exp, fmaCpu, expCpu, Vector<float>.Count, threads);
    }

    /// <summary>Runs <paramref name="worker"/> on every thread at once; returns lane operations per wall second and per CPU second.</summary>
    private static (double PerWall, double PerCpu) Run(int threads, Func<int, (double Ops, float Sink)> worker, int iterations)
    {
        var sinks = new float[threads];
        var ops = new double[threads];
        var cpu0 = Environment.CpuUsage.TotalTime;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var (o, s) = worker(iterations);
            ops[t] = o;
            sinks[t] = s;
        });
        sw.Stop();
        if (float.IsNaN(sinks.Sum())) Console.Write(""); // keeps the results observable
        var cpu = Environment.CpuUsage.TotalTime - cpu0;
        return (ops.Sum() / sw.Elapsed.TotalSeconds, ops.Sum() / cpu.TotalSeconds);
    }

    /// <summary>Chains independent FMA chains; returns lane FMAs done.</summary>
    private static (double, float) FmaWorker(int iterations)
    {
        var m = new Vector<float>(0.999f);
        var c = new Vector<float>(1e-3f);
        Span<Vector<float>> acc = stackalloc Vector<float>[Chains];
        for (int j = 0; j < Chains; j++) acc[j] = new Vector<float>(j * 0.1f);
        Vector<float> a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7], a8 = acc[8], a9 = acc[9], a10 = acc[10], a11 = acc[11];
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector.FusedMultiplyAdd(a0, m, c); a1 = Vector.FusedMultiplyAdd(a1, m, c); a2 = Vector.FusedMultiplyAdd(a2, m, c);
            a3 = Vector.FusedMultiplyAdd(a3, m, c); a4 = Vector.FusedMultiplyAdd(a4, m, c); a5 = Vector.FusedMultiplyAdd(a5, m, c);
            a6 = Vector.FusedMultiplyAdd(a6, m, c); a7 = Vector.FusedMultiplyAdd(a7, m, c); a8 = Vector.FusedMultiplyAdd(a8, m, c);
            a9 = Vector.FusedMultiplyAdd(a9, m, c); a10 = Vector.FusedMultiplyAdd(a10, m, c); a11 = Vector.FusedMultiplyAdd(a11, m, c);
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return ((double)iterations * Chains * Vector<float>.Count, Vector.Sum(sum));
    }

    /// <summary>Evaluates the rasterizer's float32 <see cref="VectorExp"/> on independent inputs (the rasterizer's exp(-sigma), sigma in [0, 5.5]); returns lane exps done.</summary>
    private static (double, float) ExpWorker(int iterations)
    {
        var step = new Vector<float>(-1e-6f);
        Vector<float> x0 = new(-0.1f), x1 = new(-1.3f), x2 = new(-2.2f), x3 = new(-3.7f), s = Vector<float>.Zero;
        for (int i = 0; i < iterations; i++)
        {
            s += VectorExp.Exp(x0) + VectorExp.Exp(x1) + VectorExp.Exp(x2) + VectorExp.Exp(x3);
            x0 += step; x1 += step; x2 += step; x3 += step;
        }
        return ((double)iterations * 4 * Vector<float>.Count, Vector.Sum(s));
    }
}
