using System.Diagnostics;
using FaceCraft4D.Coin;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// What COIN's colour-offset MLP costs. Inference (paper: the reference embedding for every view): one posed frame of a
/// FLAME-bound avatar on the built-in head (SH degree 3, k Gaussians per triangle, 24 view embeddings) rendered from an orbit
/// camera, plain (consistent colours; also the cost of an exported avatar, whose reference offsets are baked in) and with the
/// reference offsets (<see cref="CoinInference"/>: computed once per avatar, then added to every frame's SH colours); the
/// one-time cost of those offsets; and, for comparison, evaluating the centred MLP per frame at the camera's SH colour as in
/// training. Training: one GaussianTrainer step without and with the COIN hooks (offsets, the second render of I_C, the
/// structural perceptual loss, the offset L1). Options: --per-triangle 1,4,16 --sizes 256,512 --repeats 5 --train-repeats 3 (0 = skip training)
/// --device cpu|cuda --torch-threads N.
/// </summary>
public sealed class CoinBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "coin";

    /// <inheritdoc />
    public string Description => "COIN colour-offset MLP: render time with and without it (inference), and training step cost";

    /// <inheritdoc />
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var perTriangle = a.GetInts("per-triangle", 1, 4, 16);
        var sizes = a.GetInts("sizes", 256, 512);
        int repeats = a.GetInt("repeats", 5);
        int trainRepeats = a.GetInt("train-repeats", 3);
        var device = a.Get("device", "cpu").ToLowerInvariant() == "cuda" ? torch.CUDA : torch.CPU;
        int torchThreads = a.GetInt("torch-threads", 0);
        if (torchThreads > 0) torch.set_num_threads(torchThreads);
        var coin = new CoinOptions();

        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data, device);
        output.WriteLine($"coin benchmark: device={device.type}, torch threads={torch.get_num_threads()}, processors={Environment.ProcessorCount}, " +
                         $"head {data.FaceCount} triangles, MLP [{coin.EmbeddingDimension} + 3 + {3 + 6 * coin.PositionFrequencies}] -> {coin.HiddenDimension} -> 3, repeats={repeats} (median)");
        output.WriteLine($"{"gaussians",10} {"size",6} {"render ms",10} {"+offsets",9} {"ratio",6} {"render cpu",11} {"+off cpu",9} {"ratio",6} {"offsets once",13} {"MLP/frame",10} {"train plain",12} {"train COIN",11} {"ratio",6}");
        foreach (int k in perTriangle)
        foreach (int size in sizes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var r = Measure(flame, k, size, repeats, trainRepeats, coin, device);
            string train = trainRepeats > 0 ? $"{r.TrainPlainMs,12:F0} {r.TrainCoinMs,11:F0} {r.TrainCoinMs / r.TrainPlainMs,6:F2}" : "";
            output.WriteLine($"{r.Gaussians,10} {size,6} {r.RenderMs,10:F1} {r.CoinMs,9:F1} {r.CoinMs / r.RenderMs,6:F3} {r.RenderCpuMs,11:F1} {r.CoinCpuMs,9:F1} {r.CoinCpuMs / r.RenderCpuMs,6:F3} {r.OnceMs,13:F1} {r.MlpMs,10:F1} {train}");
        }
        output.WriteLine("render = FLAME posing + SH colours + rasterization of one frame; +offsets = the same with the cached reference offsets added to the colours;");
        output.WriteLine("offsets once = CoinInference.ReferenceOffsets (per avatar); MLP/frame = the centred MLP at the camera's colours, if it were evaluated every frame.");
        output.WriteLine("ms = wall-clock median, cpu = process CPU time per call (all threads) median; train = one GaussianTrainer step (forward + backward + Adam), median.");
        output.WriteLine("An exported avatar has the reference offsets baked into its SH DC colours (Export), so a standard viewer pays the plain render cost.");
        return Task.FromResult(0);
    }

    private sealed record Result(long Gaussians, double RenderMs, double CoinMs, double OnceMs, double MlpMs, double RenderCpuMs, double CoinCpuMs, double TrainPlainMs, double TrainCoinMs);

    private static Result Measure(FlameModel flame, int perTriangle, int size, int repeats, int trainRepeats, CoinOptions coin, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(42);
        using var shape = torch.zeros([1, flame.ShapeCount], device: device);
        using var avatar = FlameGaussianAvatar.Create(flame, shape, perTriangle, localScale: 0.6 / Math.Sqrt(perTriangle), generator: gen);
        using (torch.no_grad())
        {
            var p = avatar.Parameters;
            p.ShDc.copy_(torch.randn(p.ShDc.shape, generator: gen).Times(0.5).to(device));
            p.ShRest.copy_(torch.randn(p.ShRest.shape, generator: gen).Times(0.05).to(device));
            p.OpacityLogits.FilledWith(1.5);
            p.ActiveShDegree = 3;
        }
        var canonical = CanonicalPositions.Of(avatar);
        using var appearance = CoinAppearance.Create(24, PositionEncoding.Fit(canonical, coin.PositionFrequencies), coin, seed: 7, device);
        var pe = appearance.Encoding.Encode(canonical);
        var lo = canonical.amin(0).cpu().data<float>().ToArray();
        var hi = canonical.amax(0).cpu().data<float>().ToArray();
        var orbit = new OrbitCameraOptions { Width = size, Height = size, TargetX = (lo[0] + hi[0]) / 2, TargetY = (lo[1] + hi[1]) / 2, TargetZ = (lo[2] + hi[2]) / 2 };
        var camera = OrbitCameras.CreateAtYaw(orbit, 25);
        var frame = flame.ZeroParameters().With(shape: shape,
            expression: torch.tensor(new float[] { 1, -0.5f }, [1, 2], device: device), jaw: torch.tensor(new float[] { 0.15f, 0, 0 }, [1, 3], device: device));
        var rasterizer = new GaussianRasterizer();
        var bg = torch.ones(3, device: device);
        using var process = Process.GetCurrentProcess();
        TimeSpan Cpu() { process.Refresh(); return process.TotalProcessorTime; }

        var render = new List<double>();
        var withMlp = new List<double>();
        var once = new List<double>();
        var mlp = new List<double>();
        var renderCpu = new List<double>();
        var withMlpCpu = new List<double>();
        for (int i = 0; i <= repeats; i++) // round 0 warms up
        {
            using (var s = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var cpu0 = Cpu();
                var sw = Stopwatch.StartNew();
                _ = rasterizer.Render(avatar.Evaluate(frame), camera, bg).Image.sum().item<float>();
                sw.Stop();
                if (i > 0) { render.Add(sw.Elapsed.TotalMilliseconds); renderCpu.Add((Cpu() - cpu0).TotalMilliseconds); }
            }
            using (var s = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var sw = Stopwatch.StartNew();
                var offsets = CoinInference.ReferenceOffsets(avatar, appearance);
                _ = offsets.sum().item<float>();
                sw.Stop();
                var cpu0 = Cpu();
                var sw2 = Stopwatch.StartNew();
                _ = CoinInference.Render(rasterizer, avatar, offsets, camera, [1.0, 1.0, 1.0], frame).Image.sum().item<float>();
                sw2.Stop();
                var cpu1 = Cpu();
                var g = avatar.Evaluate(frame);
                var colours = g.ColorsFor(camera);
                var sw3 = Stopwatch.StartNew();
                _ = appearance.Offsets(appearance.ReferenceView, colours, pe).sum().item<float>();
                sw3.Stop();
                if (i > 0)
                {
                    once.Add(sw.Elapsed.TotalMilliseconds);
                    withMlp.Add(sw2.Elapsed.TotalMilliseconds);
                    withMlpCpu.Add((cpu1 - cpu0).TotalMilliseconds);
                    mlp.Add(sw3.Elapsed.TotalMilliseconds);
                }
            }
        }

        double trainPlain = double.NaN, trainCoin = double.NaN;
        if (trainRepeats > 0)
        {
            var image = rasterizer.Render(avatar.Evaluate(frame), camera, bg).Image.detach();
            var view = new TrainingView { Camera = camera, Image = image, Frame = frame, Index = 3 };
            trainPlain = TrainStep(avatar, view, null, trainRepeats);
            var options = Options(trainRepeats);
            var hooks = new CoinTrainingHooks(appearance, new StructuralPerceptualLoss(), coin, options, rasterizer);
            trainCoin = TrainStep(avatar, view, hooks.Hooks, trainRepeats);
        }
        return new Result(avatar.Parameters.Count, Median(render), Median(withMlp), Median(once), Median(mlp), Median(renderCpu), Median(withMlpCpu), trainPlain, trainCoin);
    }

    private static TrainingOptions Options(int repeats)
    {
        var o = TrainingOptions.FlameAvatarDefaults();
        o.Iterations = repeats + 1;
        o.Densification.Enabled = false;
        return o;
    }

    private static double TrainStep(FlameGaussianAvatar avatar, TrainingView view, TrainingHooks? hooks, int repeats)
    {
        using var trainer = new GaussianTrainer(avatar, [view], Options(repeats), hooks);
        var times = new List<double>();
        for (int i = 0; i <= repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            trainer.Step();
            if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count == 0 ? double.NaN : v[v.Count / 2];
    }
}
