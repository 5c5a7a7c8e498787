using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Rasterizer timing: forward and forward+backward for N Gaussians on a head-sized shell (radius 0.12 m, scales
/// log-uniform 1-6 mm, SH degree 3) seen by the pipeline's orbit camera (radius 1 m, 14 degree fov), per phase, for
/// several backends in the same run (so their ratio is measured on the same machine at the same time), plus the
/// machine's own limit (<see cref="CpuThroughputProbe"/>: vector FMA and exp throughput on all cores) and the SIMD
/// kernel's Gaussian-pixel evaluation rate as a fraction of it.
/// Options: --cases 10000x256,100000x512 --backends managed,simd (managed = ManagedCpu, the reference; simd = SimdCpu;
/// simd-scalar = SimdCpu on its one-lane path; tensor = TensorOps) --repeats 3 --device cpu|cuda --threads N (kernel
/// workers, 0 = all cores) --torch-threads N --max-chunk-elements N (tensor backend) --probe 1|0 (machine limit).
/// </summary>
public sealed class SplatBenchmark : IBenchmark
{
    /// <summary>
    /// Vector instructions the SIMD kernel's forward spends per evaluated pixel-lane (count of its inner loop): pixel x and
    /// dx 3, sigma 4, box/sigma/stop masks 9, exp 24 (VectorExp: clamp, reduction, degree-6 polynomial, 2^n), alpha 2,
    /// alpha mask 3, transmittance and stop test 5, weight 2, 4 channels x (load, mul, add, store) 16, transmittance
    /// select/store 2: about 70. The roofline below assumes each retires at the measured FMA rate (2 per cycle on AVX2
    /// cores): an upper bound on what this instruction mix can reach.
    /// </summary>
    private const int ForwardOpsPerEvaluation = 70;

    /// <inheritdoc />
    public string Name => "splat";

    /// <inheritdoc />
    public string Description => "Gaussian rasterizer per-phase time for the reference and SIMD CPU backends, ratio, and fraction of the CPU's FMA/exp limit";

    /// <inheritdoc />
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var cases = a.Get("cases", "10000x256,100000x512").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Split('x')).Select(p => (N: int.Parse(p[0]), Size: int.Parse(p[1]))).ToArray();
        var backends = a.Get("backends", "managed,simd").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseBackend).ToArray();
        int repeats = a.GetInt("repeats", 3);
        int threads = a.GetInt("threads", 0);
        long maxChunk = a.GetInt("max-chunk-elements", 0);
        var device = a.Get("device", "cpu").ToLowerInvariant() == "cuda" ? torch.CUDA : torch.CPU;
        int torchThreads = a.GetInt("torch-threads", 0);
        if (torchThreads > 0) torch.set_num_threads(torchThreads);
        int workers = threads > 0 ? threads : Environment.ProcessorCount;

        output.WriteLine($"splat benchmark: device={device.type}, processors={Environment.ProcessorCount}, kernel threads={workers}, torch threads={torch.get_num_threads()}, " +
                         $"Vector<float>={Vector<float>.Count} lanes (hardware accelerated: {Vector.IsHardwareAccelerated}), repeats={repeats} (median), load average {LoadAverage()}");
        CpuThroughputProbe.Limits? limits = null;
        if (a.GetInt("probe", 1) != 0)
        {
            limits = new CpuThroughputProbe().Measure(workers);
            output.WriteLine($"machine limit ({workers} threads, best of 3): {limits.FmaPerSecond / 1e9:F1} G float32 FMA/s ({2 * limits.FmaPerSecond / 1e9:F1} GFLOP/s), " +
                             $"{limits.ExpPerSecond / 1e9:F2} G float32 exp/s (VectorExp) per wall second; per CPU second (one core): {limits.FmaPerCpuSecond / 1e9:F1} G FMA/s, {limits.ExpPerCpuSecond / 1e9:F2} G exp/s");
        }
        output.WriteLine();
        output.WriteLine($"{"gaussians",9} {"size",5} {"backend",12} {"fwd ms",8} {"f+b ms",8} {"f+b cpu",8} | {"project",7} {"SH",6} {"binning",7} {"comp fwd",8} {"comp bwd",8} {"rest bwd",8} | {"peak MiB",8}");
        bool canReset = PeakMemory.TryResetPeak();
        foreach (var (n, size) in cases)
        {
            var results = new List<(string Name, Result R)>();
            foreach (var (name, backend, simd) in backends)
            {
                cancellationToken.ThrowIfCancellationRequested();
                PeakMemory.TryResetPeak();
                var r = Measure(n, size, repeats, backend, simd, threads, maxChunk, device);
                results.Add((name, r));
                var p = r.Phases;
                output.WriteLine($"{n,9} {size,5} {name,12} {r.ForwardMs,8:F1} {r.ForwardBackwardMs,8:F1} {r.ForwardBackwardCpuMs,8:F1} | {p.Projection,7:F1} {p.Colors,6:F1} {p.Binning,7:F1} {p.CompositeForward,8:F1} {p.CompositeBackward,8:F1} {p.RestOfBackward,8:F1} | {PeakMemory.PeakResidentBytes() / (1024.0 * 1024.0),8:F0}");
            }
            var r0 = results[0].R;
            output.WriteLine($"{"",15} visible {r0.Visible}, tile intersections {r0.Intersections}, Gaussian-pixel pairs in radius boxes {r0.Pairs}, of which evaluations (alpha can reach 1/255) {r0.Evaluated}");
            foreach (var (name, r) in results.Skip(1))
                output.WriteLine($"{"",15} {results[0].Name} / {name}: forward {r0.ForwardMs / r.ForwardMs:F2}x, forward+backward {r0.ForwardBackwardMs / r.ForwardBackwardMs:F2}x (CPU time {r0.ForwardBackwardCpuMs / r.ForwardBackwardCpuMs:F2}x), " +
                                 $"composite fwd {r0.Phases.CompositeForward / r.Phases.CompositeForward:F2}x, composite bwd {r0.Phases.CompositeBackward / r.Phases.CompositeBackward:F2}x");
            if (limits is not null)
                foreach (var (name, r) in results)
                {
                    // Per CPU second: evaluations per core-second of the composite vs the probe's per core-second rates.
                    double fwd = r.Evaluated / (r.Phases.CompositeForwardCpu / 1e3), bwd = r.Evaluated / (r.Phases.CompositeBackwardCpu / 1e3);
                    double roof = limits.FmaPerCpuSecond / ForwardOpsPerEvaluation;
                    output.WriteLine($"{"",15} {name}: composite forward {fwd / 1e6:F0} M evaluations per core-second = {100 * fwd / limits.ExpPerCpuSecond:F1}% of the exp limit (one exp each), " +
                                     $"{100 * fwd / roof:F1}% of the FMA-rate limit for {ForwardOpsPerEvaluation} vector ops each; backward {bwd / 1e6:F0} M/core-s");
                }
        }
        output.WriteLine();
        output.WriteLine("ms = wall-clock median (f+b cpu = process CPU time of one forward+backward, all threads). Phases (ms, median) are those of the forward+backward call:");
        output.WriteLine("project = EWA projection, SH = colours from SH, binning = tile lists + depth sort, comp fwd/bwd = compositing kernel, rest bwd = everything else in the call");
        output.WriteLine("(loss, autograd backward of projection and SH, feature concatenation). Evaluations = Gaussian-pixel pairs in radius boxes where alpha can reach 1/255 (early-stopped pixels included);");
        output.WriteLine("per core-second = evaluations / process CPU time of the composite phase, compared with the probe's per-CPU-second rates (robust to a loaded machine).");
        output.WriteLine(canReset
            ? "peak MiB = process high-water RSS (VmHWM) since the row started; it includes libtorch native memory."
            : $"peak MiB = process high-water RSS since start (could not reset it).");
        return Task.FromResult(0);
    }

    private static (string Name, RasterizerBackend Backend, bool Simd) ParseBackend(string s) => s.Trim().ToLowerInvariant() switch
    {
        "managed" or "reference" => ("ManagedCpu", RasterizerBackend.ManagedCpu, true),
        "simd" => ("SimdCpu", RasterizerBackend.SimdCpu, true),
        "simd-scalar" => ("SimdCpu-1lane", RasterizerBackend.SimdCpu, false),
        "tensor" => ("TensorOps", RasterizerBackend.TensorOps, true),
        "auto" => ("Auto", RasterizerBackend.Auto, true),
        var x => throw new ArgumentException($"unknown backend '{x}' (managed, simd, simd-scalar, tensor, auto)"),
    };

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private sealed record PhaseMs(double Projection, double Colors, double Binning, double CompositeForward, double CompositeBackward, double RestOfBackward,
        double CompositeForwardCpu, double CompositeBackwardCpu);

    private sealed record Result(long Visible, long Intersections, long Pairs, long Evaluated, double ForwardMs, double ForwardBackwardMs, double ForwardBackwardCpuMs, PhaseMs Phases);

    private static Result Measure(int n, int size, int repeats, RasterizerBackend backend, bool simd, int threads, long maxChunk, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(1234);
        var dir = torch.nn.functional.normalize(torch.randn(new long[] { n, 3 }, generator: gen), dim: 1);
        var radius = 0.12 * (1 + 0.05 * torch.randn(new long[] { n, 1 }, generator: gen));
        var means = (dir * radius * torch.tensor(new float[] { 0.8f, 1.0f, 0.9f })).to(device).requires_grad_();
        var logScales = (torch.rand(new long[] { n, 3 }, generator: gen) * Math.Log(6) + Math.Log(0.001)).to(device).requires_grad_();
        var quats = torch.randn(new long[] { n, 4 }, generator: gen).to(device).requires_grad_();
        var opacityLogits = torch.randn(new long[] { n }, generator: gen).to(device).requires_grad_();
        var sh = (torch.randn(new long[] { n, 16, 3 }, generator: gen) * 0.2).to(device).requires_grad_();
        var camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Width = size, Height = size }, 30);
        var options = new RasterizerOptions { Backend = backend, CpuThreads = threads, CpuSimd = simd };
        if (maxChunk > 0) options.MaxChunkElements = maxChunk;
        var rasterizer = new GaussianRasterizer(options);
        var times = new RasterizerPhaseTimes();
        var target = torch.full(new long[] { size, size, 3 }, 0.5f, device: device);

        SplatGaussians Gaussians() => new()
        {
            Means = means, Quaternions = quats, Scales = logScales.exp(), Opacities = torch.sigmoid(opacityLogits), ShCoefficients = sh, ShDegree = 3,
        };

        long visible = 0, isects = 0, pairs = 0, evaluated = 0;
        var forward = new List<double>();
        var both = new List<double>();
        var bothCpu = new List<double>();
        var phases = new List<PhaseMs>();
        using var process = Process.GetCurrentProcess();
        TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }
        for (int i = 0; i <= repeats; i++) // first round is warm-up
        {
            using (var s = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                rasterizer.PhaseTimes = null;
                var sw = Stopwatch.StartNew();
                var o = rasterizer.Render(Gaussians(), camera);
                _ = o.Image.sum().item<float>();
                sw.Stop();
                if (i > 0) forward.Add(sw.Elapsed.TotalMilliseconds);
                if (i == 0)
                {
                    visible = o.Projection.Visible.sum().item<long>();
                    isects = o.Bins.IntersectionCount;
                    (pairs, evaluated) = CountPairs(o, torch.sigmoid(opacityLogits));
                }
            }
            using (var s = torch.NewDisposeScope())
            {
                foreach (var p in new[] { means, logScales, quats, opacityLogits, sh }) p.grad?.zero_();
                times.Reset();
                rasterizer.PhaseTimes = times;
                var cpu0 = Cpu();
                var sw = Stopwatch.StartNew();
                var o = rasterizer.Render(Gaussians(), camera);
                var loss = (o.Image - target).abs().mean();
                loss.backward();
                _ = means.grad!.sum().item<float>();
                sw.Stop();
                if (i > 0)
                {
                    double total = sw.Elapsed.TotalMilliseconds;
                    both.Add(total);
                    bothCpu.Add((Cpu() - cpu0).TotalMilliseconds);
                    double Ms(TimeSpan t) => t.TotalMilliseconds;
                    double known = Ms(times.Projection) + Ms(times.Colors) + Ms(times.Binning) + Ms(times.CompositeForward) + Ms(times.CompositeBackward);
                    phases.Add(new PhaseMs(Ms(times.Projection), Ms(times.Colors), Ms(times.Binning), Ms(times.CompositeForward), Ms(times.CompositeBackward), total - known,
                        Ms(times.CompositeForwardCpu), Ms(times.CompositeBackwardCpu)));
                }
            }
        }
        var phaseMedian = new PhaseMs(
            Median(phases.Select(p => p.Projection)), Median(phases.Select(p => p.Colors)), Median(phases.Select(p => p.Binning)),
            Median(phases.Select(p => p.CompositeForward)), Median(phases.Select(p => p.CompositeBackward)), Median(phases.Select(p => p.RestOfBackward)),
            Median(phases.Select(p => p.CompositeForwardCpu)), Median(phases.Select(p => p.CompositeBackwardCpu)));
        return new Result(visible, isects, pairs, evaluated, Median(forward), Median(both), Median(bothCpu), phaseMedian);
    }

    /// <summary>
    /// Gaussian-pixel pairs: per tile intersection, the pixels of the Gaussian's radius box inside the tile (what the
    /// kernels loop over) and, of those, the ones with 0 &lt;= sigma &lt;= ln(opacity * 255) (where alpha reaches MinAlpha:
    /// the evaluations that need an exp; early-stopped pixels included).
    /// </summary>
    private static (long Box, long Evaluated) CountPairs(RenderOutput o, Tensor opacities)
    {
        var b = o.Bins;
        var ids = b.GaussianIds.cpu().data<long>().ToArray();
        var offsets = b.TileOffsets.cpu().data<long>().ToArray();
        var mu = o.Projection.Means2d.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var con = o.Projection.Conics.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var op = opacities.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var radii = o.Projection.Radii.cpu().contiguous().data<int>().ToArray();
        long box = 0, evaluated = 0;
        for (int t = 0; t < b.TilesX * b.TilesY; t++)
        {
            int x0 = t % b.TilesX * b.TileSize, y0 = t / b.TilesX * b.TileSize;
            int x1 = Math.Min(x0 + b.TileSize, b.Width) - 1, y1 = Math.Min(y0 + b.TileSize, b.Height) - 1;
            for (long i = offsets[t]; i < offsets[t + 1]; i++)
            {
                long g = ids[i];
                int bx0 = Math.Max(x0, (int)Math.Ceiling(mu[2 * g] - radii[2 * g] - 0.5)), bx1 = Math.Min(x1, (int)Math.Floor(mu[2 * g] + radii[2 * g] - 0.5));
                int by0 = Math.Max(y0, (int)Math.Ceiling(mu[2 * g + 1] - radii[2 * g + 1] - 0.5)), by1 = Math.Min(y1, (int)Math.Floor(mu[2 * g + 1] + radii[2 * g + 1] - 0.5));
                if (bx1 < bx0 || by1 < by0) continue;
                box += (long)(bx1 - bx0 + 1) * (by1 - by0 + 1);
                double skip = Math.Log(op[g] * 255.0);
                for (int y = by0; y <= by1; y++)
                {
                    double dy = y + 0.5 - mu[2 * g + 1];
                    for (int x = bx0; x <= bx1; x++)
                    {
                        double dx = x + 0.5 - mu[2 * g];
                        double sigma = 0.5 * (con[3 * g] * dx * dx + con[3 * g + 2] * dy * dy) + con[3 * g + 1] * dx * dy;
                        if (sigma >= 0 && sigma <= skip) evaluated++;
                    }
                }
            }
        }
        return (box, evaluated);
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToList();
        return v.Count == 0 ? double.NaN : v[v.Count / 2];
    }
}
