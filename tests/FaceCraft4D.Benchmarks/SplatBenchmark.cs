using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Rasterizer timing: forward and forward+backward for N Gaussians on a head-sized shell (radius 0.12 m, scales
/// log-uniform 1-6 mm, SH degree 3) seen by the pipeline's orbit camera (radius 1 m, 14 degree fov), per phase, for
/// several backends in the same run (so their ratio is measured on the same machine at the same time), plus the
/// machine's own limit (<see cref="CpuThroughputProbe"/>: vector FMA and exp throughput on all cores) and the SIMD
/// kernel's Gaussian-pixel evaluation rate as a fraction of it. Every backend is warmed up on every case (untimed
/// calls, so the JIT's tiering is done) before any case is timed. Options: see <see cref="Usage"/>.
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

    private const string Usage = """
        usage: ./fc4d bench splat [--option value]...
          --cases 10000x256,100000x512   Gaussians x image size (square), comma-separated
          --backends managed,simd        managed = ManagedCpu (the reference), simd = SimdCpu, simd-scalar = SimdCpu on its
                                         one-lane path, simd-footprint / simd-nofootprint = SimdCpu with alpha-footprint culling
                                         forced on / off (same run), tensor = TensorOps, auto = Auto; the first is the ratios' baseline
          --repeats 5                    timed forward and forward+backward calls per case and backend (median and min)
          --warmup 3                     untimed calls per case and backend, all of them before the first timed case
          --device cpu|cuda              tensor device (SimdCpu and ManagedCpu need cpu)
          --threads 0                    kernel worker threads (0 = all cores)
          --torch-threads 1              libtorch intra-op threads: 1 as the GPU worker runs training (Fc4d:Worker:TorchThreads)
                                         and as the README's original figures were taken; 0 = libtorch's default (all cores)
          --max-chunk-elements 0         TensorOps backend working-set bound (0 = automatic)
          --probe 1|0                    measure the machine's FMA / exp limit first
          --footprint 1|0                SimdCpu: RasterizerOptions.CullByAlphaFootprint (drop tiles / box pixels outside the alpha
                                         footprint; default: the option's default, on since s30)
        Figures are wall-clock ms unless marked cpu (process CPU time, all threads; steadier on a shared machine).
        With --torch-threads above 1, libtorch's OpenMP threads spin after each parallel op unless OMP_WAIT_POLICY=PASSIVE
        (the header says which); on 2 cores that spinning roughly doubles the forward+backward's CPU time.
        """;

    /// <inheritdoc />
    public string Name => "splat";

    /// <inheritdoc />
    public string Description => "Gaussian rasterizer per-phase time for the reference and SIMD CPU backends, ratio, and fraction of the CPU's FMA/exp limit";

    /// <inheritdoc />
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        if (args.Any(x => x is "--help" or "-h" or "help"))
        {
            output.Write(Usage);
            return Task.FromResult(0);
        }
        var a = new BenchmarkArguments(args);
        var cases = a.Get("cases", "10000x256,100000x512").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Split('x')).Select(p => (N: int.Parse(p[0]), Size: int.Parse(p[1]))).ToArray();
        var backends = a.Get("backends", "managed,simd").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseBackend).ToArray();
        int repeats = Math.Max(1, a.GetInt("repeats", 5));
        int warmup = Math.Max(0, a.GetInt("warmup", 3));
        int threads = a.GetInt("threads", 0);
        long maxChunk = a.GetInt("max-chunk-elements", 0);
        bool footprint = a.GetInt("footprint", new RasterizerOptions().CullByAlphaFootprint ? 1 : 0) != 0;
        var device = a.Get("device", "cpu").ToLowerInvariant() == "cuda" ? torch.CUDA : torch.CPU;
        // The worker trains with one libtorch thread; with more, libtorch's OpenMP workers spin-wait after each parallel op
        // (unless OMP_WAIT_POLICY=PASSIVE) and compete with the kernel's own threads for the cores.
        int torchThreads = a.GetInt("torch-threads", 1);
        if (torchThreads > 0) torch.set_num_threads(torchThreads);
        int workers = threads > 0 ? threads : Environment.ProcessorCount;

        output.WriteLine($"splat benchmark: device={device.type}, processors={Environment.ProcessorCount}, kernel threads={workers}, torch threads={torch.get_num_threads()}, " +
                         $"Vector<float>={Vector<float>.Count} lanes (hardware accelerated: {Vector.IsHardwareAccelerated}), OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset: active spinning)"}, " +
                         $"repeats={repeats} (median, min), warm-up={warmup} calls per case and backend, alpha-footprint culling={footprint}, load average {LoadAverage()}");
        CpuThroughputProbe.Limits? limits = null;
        if (a.GetInt("probe", 1) != 0)
        {
            limits = new CpuThroughputProbe().Measure(workers);
            output.WriteLine($"machine limit ({workers} threads, best of 3): {limits.FmaPerSecond / 1e9:F1} G float32 FMA/s ({2 * limits.FmaPerSecond / 1e9:F1} GFLOP/s), " +
                             $"{limits.ExpPerSecond / 1e9:F2} G float32 exp/s (VectorExp) per wall second; per CPU second (one core): {limits.FmaPerCpuSecond / 1e9:F1} G FMA/s, {limits.ExpPerCpuSecond / 1e9:F2} G exp/s");
        }

        // Warm every backend up on every case before timing anything: the first calls run unoptimised JIT tiers.
        var warmWatch = Stopwatch.StartNew();
        foreach (var (n, size) in cases)
            foreach (var (_, backend, simd, cull) in backends)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scene = new Scene(n, size, backend, simd, threads, maxChunk, device, cull ?? footprint);
                for (int i = 0; i < warmup; i++) { scene.Forward(); scene.ForwardBackward(); }
            }
        output.WriteLine($"warm-up: {warmWatch.Elapsed.TotalSeconds:F1} s, load average {LoadAverage()}");
        output.WriteLine();
        output.WriteLine($"{"gaussians",9} {"size",5} {"backend",12} {"",4} {"fwd",7} {"fwd min",7} {"f+b",7} {"f+b min",7} | {"project",7} {"SH",6} {"binning",7} {"glue",6} {"comp fwd",8} {"comp bwd",8} {"proj bwd",8} {"SH bwd",6} {"rest",6} | {"peak MiB",8} {"load",5} {"output sha256",16}");
        bool canReset = PeakMemory.TryResetPeak();
        foreach (var (n, size) in cases)
        {
            var results = new List<(string Name, Result R)>();
            foreach (var (name, backend, simd, cull) in backends)
            {
                cancellationToken.ThrowIfCancellationRequested();
                PeakMemory.TryResetPeak();
                using var scene = new Scene(n, size, backend, simd, threads, maxChunk, device, cull ?? footprint);
                var r = Measure(scene, repeats);
                results.Add((name, r));
                double peak = PeakMemory.PeakResidentBytes() / (1024.0 * 1024.0);
                string sum = scene.ForwardBackward(checksum: true), again = scene.ForwardBackward(checksum: true);
                output.WriteLine($"{n,9} {size,5} {name,12} {"wall",4} {r.Forward.Median,7:F1} {r.Forward.Min,7:F1} {r.ForwardBackward.Median,7:F1} {r.ForwardBackward.Min,7:F1} | {Phases(r.Wall)} | {peak,8:F0} {LoadAverage(),5} {sum}{(sum == again ? "" : " NOT REPEATABLE: " + again)}");
                output.WriteLine($"{"",9} {"",5} {"",12} {"cpu",4} {r.ForwardCpu.Median,7:F1} {r.ForwardCpu.Min,7:F1} {r.ForwardBackwardCpu.Median,7:F1} {r.ForwardBackwardCpu.Min,7:F1} | {Phases(r.Cpu)} |");
            }
            var r0 = results[0].R;
            output.WriteLine($"{"",15} visible {r0.Counts.Visible}; per backend: tile intersections, Gaussian-pixel pairs in the boxes its loops visit, 8-lane vector lanes visited, evaluations (alpha can reach 1/255), live evaluations (pixel not stopped yet)");
            foreach (var (name, r) in results)
                output.WriteLine($"{"",15} {name}: {r.Counts.Intersections} intersections, {r.Counts.Pairs} box pixels, {r.Counts.Lanes} lanes, {r.Counts.Evaluated} evaluations " +
                                 $"({100.0 * r.Counts.Evaluated / Math.Max(1, r.Counts.Lanes):F1}% of lanes, {(double)r.Counts.Evaluated / Math.Max(1, r.Counts.Intersections):F1} per intersection), " +
                                 $"{r.Counts.Live} live ({100.0 * r.Counts.Live / Math.Max(1, r.Counts.Evaluated):F1}%)");
            foreach (var (name, r) in results.Skip(1))
                output.WriteLine($"{"",15} {results[0].Name} / {name}: forward {r0.Forward.Median / r.Forward.Median:F2}x, forward+backward {r0.ForwardBackward.Median / r.ForwardBackward.Median:F2}x " +
                                 $"(min {r0.ForwardBackward.Min / r.ForwardBackward.Min:F2}x, CPU time {r0.ForwardBackwardCpu.Median / r.ForwardBackwardCpu.Median:F2}x), " +
                                 $"composite fwd {r0.Wall[RasterizerPhase.CompositeForward] / r.Wall[RasterizerPhase.CompositeForward]:F2}x, composite bwd {r0.Wall[RasterizerPhase.CompositeBackward] / r.Wall[RasterizerPhase.CompositeBackward]:F2}x");
            if (limits is not null)
                foreach (var (name, r) in results)
                {
                    // Per CPU second: evaluations per core-second of the composite vs the probe's per core-second rates.
                    double fwd = r.Counts.Evaluated / (r.Cpu[RasterizerPhase.CompositeForward] / 1e3), bwd = r.Counts.Evaluated / (r.Cpu[RasterizerPhase.CompositeBackward] / 1e3);
                    double roof = limits.FmaPerCpuSecond / ForwardOpsPerEvaluation;
                    output.WriteLine($"{"",15} {name}: composite forward {fwd / 1e6:F0} M evaluations per core-second = {100 * fwd / limits.ExpPerCpuSecond:F1}% of the exp limit (one exp each), " +
                                     $"{100 * fwd / roof:F1}% of the FMA-rate limit for {ForwardOpsPerEvaluation} vector ops each; backward {bwd / 1e6:F0} M/core-s; " +
                                     $"per live evaluation {r.Cpu[RasterizerPhase.CompositeForward] * 1e6 / Math.Max(1, r.Counts.Live):F1} / {r.Cpu[RasterizerPhase.CompositeBackward] * 1e6 / Math.Max(1, r.Counts.Live):F1} ns CPU (fwd / bwd), " +
                                     $"per visited lane {r.Cpu[RasterizerPhase.CompositeForward] * 1e6 / Math.Max(1, r.Counts.Lanes):F2} ns fwd");
                }
        }
        output.WriteLine();
        output.WriteLine($"load average at the end {LoadAverage()}. wall = wall-clock ms, cpu = process CPU time ms (all threads); median over {repeats} calls, min = fastest call.");
        output.WriteLine("Phases (median ms) are those of the forward+backward call: project = EWA projection, SH = colours from SH, binning = tile lists + depth sort,");
        output.WriteLine("glue = tensor concatenation / output copies around the kernel, comp fwd/bwd = compositing kernel, proj bwd / SH bwd = fused projection / SH backward");
        output.WriteLine("(SimdCpu only; other backends leave them in rest), rest = everything else in the call (parameter activations, loss, autograd engine, gradient accumulation).");
        output.WriteLine("Evaluations = Gaussian-pixel pairs where alpha can reach 1/255 (early-stopped pixels included; the same count for every backend); per core-second = evaluations / CPU time");
        output.WriteLine("of the composite phase, compared with the probe's per-CPU-second rates (robust to a loaded machine).");
        output.WriteLine("output sha256 = first 16 hex digits of the SHA-256 of the image and every parameter gradient of one forward+backward (taken twice: equal when repeatable).");
        output.WriteLine(canReset
            ? "peak MiB = process high-water RSS (VmHWM) since the row started; it includes libtorch native memory."
            : "peak MiB = process high-water RSS since start (could not reset it).");
        return Task.FromResult(0);
    }

    private static string Phases(IReadOnlyDictionary<RasterizerPhase, double> p) =>
        $"{p[RasterizerPhase.Projection],7:F1} {p[RasterizerPhase.Colors],6:F1} {p[RasterizerPhase.Binning],7:F1} {p[RasterizerPhase.Glue],6:F1} " +
        $"{p[RasterizerPhase.CompositeForward],8:F1} {p[RasterizerPhase.CompositeBackward],8:F1} {p[RasterizerPhase.ProjectionBackward],8:F1} {p[RasterizerPhase.ColorsBackward],6:F1} {p[Rest],6:F1}";

    /// <summary>A backend to measure; <c>Footprint</c> forces <see cref="RasterizerOptions.CullByAlphaFootprint"/> (null: --footprint).</summary>
    private static (string Name, RasterizerBackend Backend, bool Simd, bool? Footprint) ParseBackend(string s) => s.Trim().ToLowerInvariant() switch
    {
        "managed" or "reference" => ("ManagedCpu", RasterizerBackend.ManagedCpu, true, null),
        "simd" => ("SimdCpu", RasterizerBackend.SimdCpu, true, null),
        "simd-scalar" => ("SimdCpu-1lane", RasterizerBackend.SimdCpu, false, null),
        "simd-footprint" => ("SimdCpu+fp", RasterizerBackend.SimdCpu, true, true),
        "simd-nofootprint" => ("SimdCpu-fp", RasterizerBackend.SimdCpu, true, false),
        "tensor" => ("TensorOps", RasterizerBackend.TensorOps, true, null),
        "auto" => ("Auto", RasterizerBackend.Auto, true, null),
        var x => throw new ArgumentException($"unknown backend '{x}' (managed, simd, simd-scalar, simd-footprint, simd-nofootprint, tensor, auto)"),
    };

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    /// <summary>Key of the untimed remainder of a forward+backward call in the phase dictionaries.</summary>
    private const RasterizerPhase Rest = (RasterizerPhase)(-1);

    private sealed record Stat(double Median, double Min)
    {
        public static Stat Of(IReadOnlyCollection<double> v) => new(MedianOf(v), v.Count == 0 ? double.NaN : v.Min());
    }

    private sealed record Counts(long Visible, long Intersections, long Pairs, long Evaluated, long Lanes, long Live);

    private sealed record Result(Counts Counts, Stat Forward, Stat ForwardBackward, Stat ForwardCpu, Stat ForwardBackwardCpu,
        IReadOnlyDictionary<RasterizerPhase, double> Wall, IReadOnlyDictionary<RasterizerPhase, double> Cpu);

    /// <summary>The benchmark's Gaussians, camera, target and rasterizer for one case and backend (deterministic: seed 1234).</summary>
    private sealed class Scene : IDisposable
    {
        private readonly DisposeScope _scope = torch.NewDisposeScope();
        private readonly Tensor _means, _logScales, _quats, _opacityLogits, _sh, _target;
        private readonly Camera _camera;
        private readonly GaussianRasterizer _rasterizer;

        public Scene(int n, int size, RasterizerBackend backend, bool simd, int threads, long maxChunk, Device device, bool footprint)
        {
            var gen = new torch.Generator(1234);
            var dir = torch.nn.functional.normalize(torch.randn(new long[] { n, 3 }, generator: gen), dim: 1);
            var radius = torch.randn(new long[] { n, 1 }, generator: gen).Times(0.05).Plus(1).Times(0.12);
            _means = (dir * radius * torch.tensor(new float[] { 0.8f, 1.0f, 0.9f })).to(device).requires_grad_();
            _logScales = torch.rand(new long[] { n, 3 }, generator: gen).Times(Math.Log(6)).Plus(Math.Log(0.001)).to(device).requires_grad_();
            _quats = torch.randn(new long[] { n, 4 }, generator: gen).to(device).requires_grad_();
            _opacityLogits = torch.randn(new long[] { n }, generator: gen).to(device).requires_grad_();
            _sh = torch.randn(new long[] { n, 16, 3 }, generator: gen).Times(0.2).to(device).requires_grad_();
            _camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Width = size, Height = size }, 30);
            var options = new RasterizerOptions { Backend = backend, CpuThreads = threads, CpuSimd = simd, CullByAlphaFootprint = footprint };
            if (maxChunk > 0) options.MaxChunkElements = maxChunk;
            _rasterizer = new GaussianRasterizer(options);
            _target = HeldScalarOps.Hold(0.5f.ToScalar(), held => torch.full(new long[] { size, size, 3 }, held, device: device));
        }

        public RasterizerPhaseTimes? Times { get => _rasterizer.PhaseTimes; set => _rasterizer.PhaseTimes = value; }

        /// <summary>Whether the kernel narrows each Gaussian's box to its alpha footprint (SimdCpu) or loops over radius boxes.</summary>
        public bool FootprintBoxes => _rasterizer.Options.CullByAlphaFootprint &&
            _rasterizer.Options.Backend is RasterizerBackend.SimdCpu or RasterizerBackend.Auto && _means.device.type == DeviceType.CPU;

        public Tensor Opacities() => torch.sigmoid(_opacityLogits);

        private SplatGaussians Gaussians() => new()
        {
            Means = _means, Quaternions = _quats, Scales = _logScales.exp(), Opacities = torch.sigmoid(_opacityLogits), ShCoefficients = _sh, ShDegree = 3,
        };

        /// <summary>A forward call without gradients; <paramref name="inspect"/> sees its output before it is disposed.</summary>
        public void Forward(Action<RenderOutput>? inspect = null)
        {
            using var s = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var o = _rasterizer.Render(Gaussians(), _camera);
            _ = o.Image.sum().item<float>();
            inspect?.Invoke(o);
        }

        /// <summary>A forward+backward call with an L1 loss against a grey target; returns a SHA-256 prefix of the image and every gradient's bytes.</summary>
        public string ForwardBackward(bool checksum = false)
        {
            using var s = torch.NewDisposeScope();
            var parameters = new[] { _means, _logScales, _quats, _opacityLogits, _sh };
            foreach (var p in parameters) p.grad?.zero_();
            var o = _rasterizer.Render(Gaussians(), _camera);
            var loss = (o.Image - _target).abs().mean();
            loss.backward();
            _ = _means.grad!.sum().item<float>();
            if (!checksum) return "";
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            foreach (var t in parameters.Select(p => p.grad!).Prepend(o.Image)) sha.AppendData(t.contiguous().bytes);
            return Convert.ToHexString(sha.GetHashAndReset())[..16];
        }

        public void Dispose() => _scope.Dispose();
    }

    private static Result Measure(Scene scene, int repeats)
    {
        Counts counts = new(0, 0, 0, 0, 0, 0);
        scene.Times = null;
        scene.Forward(o => counts = CountPairs(o, scene.Opacities(), scene.FootprintBoxes) with { Visible = o.Projection.Visible.sum().item<long>() });
        var forward = new List<double>();
        var forwardCpu = new List<double>();
        var both = new List<double>();
        var bothCpu = new List<double>();
        var phases = Enum.GetValues<RasterizerPhase>();
        var wall = phases.Append(Rest).ToDictionary(p => p, _ => new List<double>());
        var cpu = phases.Append(Rest).ToDictionary(p => p, _ => new List<double>());
        var times = new RasterizerPhaseTimes();
        for (int i = 0; i < repeats; i++)
        {
            scene.Times = null;
            var cpu0 = RasterizerPhaseTimesClock();
            var sw = Stopwatch.StartNew();
            scene.Forward();
            forward.Add(sw.Elapsed.TotalMilliseconds);
            forwardCpu.Add((RasterizerPhaseTimesClock() - cpu0).TotalMilliseconds);

            times.Reset();
            scene.Times = times;
            cpu0 = RasterizerPhaseTimesClock();
            sw.Restart();
            scene.ForwardBackward();
            double total = sw.Elapsed.TotalMilliseconds, totalCpu = (RasterizerPhaseTimesClock() - cpu0).TotalMilliseconds;
            both.Add(total);
            bothCpu.Add(totalCpu);
            foreach (var p in phases)
            {
                wall[p].Add(times.Wall(p).TotalMilliseconds);
                cpu[p].Add(times.Cpu(p).TotalMilliseconds);
            }
            wall[Rest].Add(total - phases.Sum(p => times.Wall(p).TotalMilliseconds));
            cpu[Rest].Add(totalCpu - phases.Sum(p => times.Cpu(p).TotalMilliseconds));
        }
        scene.Times = null;
        return new Result(counts, Stat.Of(forward), Stat.Of(both), Stat.Of(forwardCpu), Stat.Of(bothCpu),
            wall.ToDictionary(kv => kv.Key, kv => MedianOf(kv.Value)), cpu.ToDictionary(kv => kv.Key, kv => MedianOf(kv.Value)));
    }

    private static TimeSpan RasterizerPhaseTimesClock() => Environment.CpuUsage.TotalTime;

    /// <summary>
    /// Gaussian-pixel pairs of the backend's own tile lists: per tile intersection, the pixels of the Gaussian's radius box
    /// inside the tile (for SimdCpu narrowed, as its kernel does, to the box of the ellipse where alpha can reach 1/255),
    /// the 8-lane vector lanes the SIMD loops visit for them (box rows x vectors spanned x lanes), the evaluations among
    /// them (0 &lt;= sigma &lt;= ln(opacity * 255): alpha can reach MinAlpha; early-stopped pixels included), and the live
    /// ones (evaluations at pixels that have not stopped yet: a double-precision replay of the front-to-back loop).
    /// </summary>
    private static Counts CountPairs(RenderOutput o, Tensor opacities, bool footprintBoxes)
    {
        var b = o.Bins;
        var ids = b.GaussianIds.cpu().data<long>().ToArray();
        var offsets = b.TileOffsets.cpu().data<long>().ToArray();
        var mu = o.Projection.Means2d.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var con = o.Projection.Conics.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var op = opacities.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var radii = o.Projection.Radii.cpu().contiguous().data<int>().ToArray();
        int lanes = Vector<float>.Count, ts = b.TileSize;
        long box = 0, visited = 0, evaluated = 0, live = 0;
        var trans = new double[ts * ts];
        var done = new bool[ts * ts];
        for (int t = 0; t < b.TilesX * b.TilesY; t++)
        {
            int x0 = t % b.TilesX * ts, y0 = t / b.TilesX * ts;
            int x1 = Math.Min(x0 + ts, b.Width) - 1, y1 = Math.Min(y0 + ts, b.Height) - 1;
            Array.Fill(trans, 1.0);
            Array.Clear(done);
            for (long i = offsets[t]; i < offsets[t + 1]; i++)
            {
                long g = ids[i];
                double mx = mu[2 * g], my = mu[2 * g + 1], a = con[3 * g], bb = con[3 * g + 1], c = con[3 * g + 2];
                double skip = Math.Log(op[g] * 255.0);
                double ex = radii[2 * g], ey = radii[2 * g + 1];
                double det = a * c - bb * bb;
                if (footprintBoxes && skip > 0 && det > 0)
                {
                    ex = Math.Min(ex, Math.Sqrt(2 * skip * c / det));
                    ey = Math.Min(ey, Math.Sqrt(2 * skip * a / det));
                }
                int bx0 = Math.Max(x0, (int)Math.Ceiling(mx - ex - 0.5)), bx1 = Math.Min(x1, (int)Math.Floor(mx + ex - 0.5));
                int by0 = Math.Max(y0, (int)Math.Ceiling(my - ey - 0.5)), by1 = Math.Min(y1, (int)Math.Floor(my + ey - 0.5));
                if (bx1 < bx0 || by1 < by0) continue;
                box += (long)(bx1 - bx0 + 1) * (by1 - by0 + 1);
                visited += (long)((bx1 - x0) / lanes - (bx0 - x0) / lanes + 1) * lanes * (by1 - by0 + 1);
                for (int y = by0; y <= by1; y++)
                {
                    double dy = y + 0.5 - my;
                    for (int x = bx0; x <= bx1; x++)
                    {
                        double dx = x + 0.5 - mx;
                        double sigma = 0.5 * (a * dx * dx + c * dy * dy) + bb * dx * dy;
                        if (!(sigma >= 0 && sigma <= skip)) continue;
                        evaluated++;
                        int p = (y - y0) * ts + x - x0;
                        if (done[p]) continue;
                        live++;
                        double alpha = Math.Min(0.99, op[g] * Math.Exp(-sigma));
                        if (alpha < 1.0 / 255.0) continue;
                        double next = trans[p] * (1 - alpha);
                        if (next <= 1e-4) done[p] = true;
                        else trans[p] = next;
                    }
                }
            }
        }
        return new Counts(0, b.IntersectionCount, box, evaluated, visited, live);
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToList();
        if (v.Count == 0) return double.NaN;
        return v.Count % 2 == 1 ? v[v.Count / 2] : 0.5 * (v[v.Count / 2 - 1] + v[v.Count / 2]);
    }
}
