using System.Diagnostics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Rasterizer timing: forward and forward+backward for N Gaussians on a head-sized shell (radius 0.12 m, scales
/// log-uniform 1-6 mm, SH degree 3) seen by the pipeline's orbit camera (radius 1 m, 14 degree fov) at each size.
/// Options: --gaussians 10000,100000 --sizes 256,512 --repeats 3 --backend auto|tensor|managed --device cpu|cuda
/// --threads N (managed kernel workers, 0 = all cores) --torch-threads N (libtorch intra-op threads, 0 = libtorch default)
/// --max-chunk-elements N (tensor backend working-set bound).
/// </summary>
public sealed class SplatBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "splat";

    /// <inheritdoc />
    public string Description => "Gaussian rasterizer forward / forward+backward time and peak memory";

    /// <inheritdoc />
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var counts = a.GetInts("gaussians", 10_000, 100_000);
        var sizes = a.GetInts("sizes", 256, 512);
        int repeats = a.GetInt("repeats", 3);
        int threads = a.GetInt("threads", 0);
        long maxChunk = a.GetInt("max-chunk-elements", 0);
        var backend = a.Get("backend", "auto").ToLowerInvariant() switch
        {
            "tensor" => RasterizerBackend.TensorOps,
            "managed" => RasterizerBackend.ManagedCpu,
            _ => RasterizerBackend.Auto,
        };
        var device = a.Get("device", "cpu").ToLowerInvariant() == "cuda" ? torch.CUDA : torch.CPU;
        int torchThreads = a.GetInt("torch-threads", 0);
        if (torchThreads > 0) torch.set_num_threads(torchThreads);

        output.WriteLine($"splat benchmark: backend={backend}, device={device.type}, torch threads={torch.get_num_threads()}, kernel threads={(threads > 0 ? threads : Environment.ProcessorCount)}, processors={Environment.ProcessorCount}, repeats={repeats} (median)");
        output.WriteLine($"{"gaussians",10} {"size",6} {"visible",8} {"isects",10} {"forward ms",11} {"fwd+bwd ms",11} {"fwd cpu ms",11} {"f+b cpu ms",11} {"peak RSS MiB",13}");
        bool canReset = PeakMemory.TryResetPeak();
        foreach (int n in counts)
        foreach (int size in sizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            PeakMemory.TryResetPeak();
            var r = Measure(n, size, repeats, backend, threads, maxChunk, device);
            output.WriteLine($"{n,10} {size,6} {r.Visible,8} {r.Intersections,10} {r.ForwardMs,11:F1} {r.ForwardBackwardMs,11:F1} {r.ForwardCpuMs,11:F1} {r.ForwardBackwardCpuMs,11:F1} {PeakMemory.PeakResidentBytes() / (1024.0 * 1024.0),13:F0}");
        }
        output.WriteLine("ms = wall-clock median; cpu ms = process CPU time per call (all threads), median; on a shared machine the CPU figure is the steadier one.");
        output.WriteLine(canReset
            ? "peak RSS is the process high-water mark (VmHWM) since the row started (reset through /proc/self/clear_refs); it includes libtorch native memory."
            : $"peak RSS is the process high-water mark since start (could not reset it): {PeakMemory.PeakResidentBytes() / (1024.0 * 1024.0):F0} MiB.");
        return Task.FromResult(0);
    }

    private sealed record Result(long Visible, long Intersections, double ForwardMs, double ForwardBackwardMs, double ForwardCpuMs, double ForwardBackwardCpuMs);

    private static Result Measure(int n, int size, int repeats, RasterizerBackend backend, int threads, long maxChunk, Device device)
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
        var options = new RasterizerOptions { Backend = backend, CpuThreads = threads };
        if (maxChunk > 0) options.MaxChunkElements = maxChunk;
        var rasterizer = new GaussianRasterizer(options);
        var target = torch.full(new long[] { size, size, 3 }, 0.5f, device: device);

        SplatGaussians Gaussians() => new()
        {
            Means = means, Quaternions = quats, Scales = logScales.exp(), Opacities = torch.sigmoid(opacityLogits), ShCoefficients = sh, ShDegree = 3,
        };

        long visible = 0, isects = 0;
        var forward = new List<double>();
        var both = new List<double>();
        var forwardCpu = new List<double>();
        var bothCpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }
        for (int i = 0; i <= repeats; i++) // first round is warm-up
        {
            using (var s = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var cpu0 = Cpu();
                var sw = Stopwatch.StartNew();
                var o = rasterizer.Render(Gaussians(), camera);
                _ = o.Image.sum().item<float>();
                sw.Stop();
                if (i > 0) { forward.Add(sw.Elapsed.TotalMilliseconds); forwardCpu.Add((Cpu() - cpu0).TotalMilliseconds); }
                visible = o.Projection.Visible.sum().item<long>();
                isects = o.Bins.IntersectionCount;
            }
            using (var s = torch.NewDisposeScope())
            {
                foreach (var p in new[] { means, logScales, quats, opacityLogits, sh }) p.grad?.zero_();
                var cpu0 = Cpu();
                var sw = Stopwatch.StartNew();
                var o = rasterizer.Render(Gaussians(), camera);
                var loss = (o.Image - target).abs().mean();
                loss.backward();
                _ = means.grad!.sum().item<float>();
                sw.Stop();
                if (i > 0) { both.Add(sw.Elapsed.TotalMilliseconds); bothCpu.Add((Cpu() - cpu0).TotalMilliseconds); }
            }
        }
        return new Result(visible, isects, Median(forward), Median(both), Median(forwardCpu), Median(bothCpu));
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count == 0 ? double.NaN : v[v.Count / 2];
    }
}
