using System.Diagnostics;
using FaceCraft4D.Coin;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Graphics.Training;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Vision.Perceptual.ResNet18;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Where a training iteration's time goes at preview settings. A synthetic scene shaped like the preview run's training
/// stages: a FLAME-bound avatar on the built-in head (the stage's start: 1 Gaussian per triangle, grey, local scale 0.5),
/// targets rendered from a textured avatar of the same head (<c>--per-triangle</c> Gaussians per triangle) from the preview's
/// 8 orbit views at its RenderSize (256 px since s29; TrainStatic) plus posed video frames (TrainCoin); trainer settings from the stages' own
/// <see cref="TrainingSchedule"/> (densification included) with the COIN hooks and the structural perceptual loss (the
/// default backend). Prints per phase (<see cref="TrainingPhaseTimer"/>) the mean ms per iteration, and the rasterizer's
/// forward + backward measured alone on the final avatar, so the render share of a step is known.
/// Phases are charged in process CPU time (all threads; <see cref="ProcessCpuClock"/>), which a shared machine's load
/// stretches far less than wall time; the wall time per iteration is printed too.
/// Options: --stage static|coin|both (both) --iterations N (the schedule's length; preview: 200) --steps N (iterations run,
/// default all; the first --skip are run untimed) --skip 0 --size (the preview's RenderSize) --views 8 --frames 12 --per-triangle 2
/// --repeats 1 (runs per stage; figures are medians) --torch-threads N --separate-render 1 (COIN's I_C as a second render, the
/// path before the shared render) --fused-centring 0 (COIN's centred activation as tensor ops) --cache-frames 0 (pose FLAME every step) --fused-ssim 0 (D-SSIM and
/// the structure loss as band-matrix GEMMs); all three off = the step before these changes; --fused-adam 0 (Adam op by op, the
/// path before the fused Adam pass) --fused-binding 0 (the bound avatar's world-space Gaussians as tensor ops, the path before
/// <c>FusedBoundGaussiansFunction</c>) --fused-reg 0 (the position/scale regularisers as tensor ops). --perceptual auto|ms-structure|resnet18|resnet18-cached
/// --backend auto|simd-cpu|managed-cpu (the rasterizer kernel; managed-cpu with every switch above at 0, --separate-render 1 and
/// --perceptual ms-structure --perceptual-every 1 is the oldest training step the code still has, to time against on the same machine)
/// --perceptual-every N (the perceptual term on every N-th iteration only, at N x the weight; default the stages' setting)
/// --perceptual-downsample K (the ResNet-18 network sees the images average-pooled K x K; default the stages' setting)
/// (auto: what the stage uses, ResNet-18 features with each target's taps computed once, when ResNet18.onnx is installed; resnet18 = the
/// taps of target and render in one batch every step, the stage before the cache); 'perceptual f+b alone' times its forward + backward.
/// </summary>
public sealed class TrainBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public string Description => "training iteration breakdown at preview settings (render, losses, backward, Adam, densification, COIN MLP, data)";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var preview = PipelinePresets.Preview;
        string stages = a.Get("stage", "both").ToLowerInvariant();
        int size = a.GetInt("size", preview.RenderSize);
        int viewCount = a.GetInt("views", preview.ViewCount);
        int frames = a.GetInt("frames", preview.SourceViewCount * preview.ClipCount * 2);
        int perTriangle = a.GetInt("per-triangle", 2);
        int repeats = Math.Max(1, a.GetInt("repeats", 1));
        int skip = Math.Max(0, a.GetInt("skip", 0));
        bool separateRender = a.GetInt("separate-render", 0) != 0;
        int torchThreads = a.GetInt("torch-threads", 0);
        int perceptualEvery = a.GetInt("perceptual-every", new TrainingStageOptions().Coin.PerceptualEvery);
        int perceptualDownsample = a.GetInt("perceptual-downsample", new TrainingStageOptions().PerceptualDownsample);
        var paths = new FastPaths(a.GetInt("fused-centring", 1) != 0, a.GetInt("cache-frames", 1) != 0, a.GetInt("fused-ssim", 1) != 0,
            a.GetInt("fused-adam", 1) != 0, a.GetInt("fused-binding", 1) != 0, a.GetInt("fused-reg", 1) != 0, RasterBackend(a.Get("backend", "auto")));
        string perceptualName = a.Get("perceptual", "auto").ToLowerInvariant();
        var onnx = ResNet18OnnxLocator.TryResolve();
        if (perceptualName == "auto") perceptualName = onnx is null ? StructuralPerceptualLoss.BackendName : "resnet18-cached";
        if (perceptualName is not (StructuralPerceptualLoss.BackendName or "resnet18" or "resnet18-cached"))
        {
            output.WriteLine($"Unknown --perceptual {perceptualName} (auto, {StructuralPerceptualLoss.BackendName}, resnet18, resnet18-cached).");
            return 1;
        }
        if (perceptualName != StructuralPerceptualLoss.BackendName && onnx is null)
        {
            output.WriteLine($"ResNet18.onnx not found: {ResNet18OnnxLocator.InstallHint}.");
            return 1;
        }
        using var resnet = onnx is null || perceptualName == StructuralPerceptualLoss.BackendName
            ? null
            : new ResNet18PerceptualLoss(new ResNet18FeatureDistance(await ResNet18OnnxWeights.LoadAsync(onnx, cancellationToken), torch.CPU), perceptualDownsample);
        var perceptual = new PerceptualChoice(perceptualName, resnet, paths.FusedSsim);
        if (torchThreads > 0) torch.set_num_threads(torchThreads);
        PeakMemory.TryResetPeak();

        using var data = ProceduralHeadModel.Create();
        using var flame = new FlameModel(data, torch.CPU);
        output.WriteLine($"train benchmark: torch threads={torch.get_num_threads()}, processors={Environment.ProcessorCount}, load average {LoadAverage()}, " +
                         $"head {data.FaceCount} triangles, {size} px, {viewCount} views, perceptual {perceptualName} every {perceptualEvery} iterations (pooled {perceptualDownsample}x), {paths}");
        foreach (var stage in new[] { "static", "coin" })
        {
            if (stages != "both" && stages != stage) continue;
            int iterations = a.GetInt("iterations", stage == "static" ? preview.StaticIterations : preview.CoinIterations);
            int steps = Math.Clamp(a.GetInt("steps", iterations), 1, iterations);
            var runs = new List<StageFigures>();
            for (int r = 0; r < repeats; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                runs.Add(await RunStageAsync(flame, stage, iterations, Math.Min(skip, steps - 1), steps, size, viewCount, stage == "coin" ? frames : 0, perTriangle, !separateRender, paths, perceptual, perceptualEvery, cancellationToken));
            }
            Print(output, stage, iterations, steps, runs);
        }
        output.WriteLine($"peak RSS of this process: {PeakMemory.PeakResidentBytes() / (1024.0 * 1024):F0} MiB");
        output.WriteLine("Phases are exclusive CPU time (TrainingPhaseTimer on the process CPU clock): 'render' is the rasterizer forward of both renders (I_IC and COIN's I_C);");
        output.WriteLine("'backward' holds the rasterizer backward too: 'raster f+b alone' times one render's forward + backward on the final avatar.");
        return 0;
    }

    /// <summary>Switches of the faster paths (each off = the path before it, for before/after figures in one run).</summary>
    private sealed record FastPaths(bool FusedCentring, bool CacheFrames, bool FusedSsim, bool FusedAdam, bool FusedBinding, bool FusedRegularisers,
        RasterizerBackend Backend);

    /// <summary>--backend auto|simd-cpu|managed-cpu|tensor-ops: the rasterizer kernel (managed-cpu: the CPU reference kernel before issue 16).</summary>
    private static RasterizerBackend RasterBackend(string name) =>
        Enum.TryParse<RasterizerBackend>(name.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var backend)
            ? backend
            : throw new ArgumentException($"Unknown --backend {name} (auto, simd-cpu, managed-cpu, tensor-ops).");

    /// <summary>COIN's perceptual loss as the stage picks it: the structural substitute, ResNet-18 features, or those with the targets' taps cached (the stage's default).</summary>
    private sealed record PerceptualChoice(string Name, ResNet18PerceptualLoss? ResNet, bool FusedSsim)
    {
        /// <summary>A loss for one trainer (dispose it after the run).</summary>
        public IPerceptualLoss Create() => Name switch
        {
            "resnet18" => new Unowned(ResNet!),
            "resnet18-cached" => new TargetFeatureCachedLoss(ResNet!, 512L * 1024 * 1024),
            _ => new StructuralPerceptualLoss(fused: FusedSsim),
        };

        /// <summary>The shared ResNet-18 loss without taking ownership.</summary>
        private sealed class Unowned(ResNet18PerceptualLoss inner) : IPerceptualLoss
        {
            public string Name => inner.Name;

            public Tensor Loss(Tensor rendered, Tensor target, Tensor? mask = null) => inner.Loss(rendered, target, mask);
        }
    }

    private sealed record StageFigures(double MsPerIteration, double WallMsPerIteration, IReadOnlyDictionary<string, double> PhaseMs, long Gaussians, double RasterForwardMs, double RasterBackwardMs, double Seconds, int Timed, bool SharedRender,
        double PerceptualMs, string PerceptualName);

    private static void Print(TextWriter output, string stage, int iterations, int steps, List<StageFigures> runs)
    {
        double Med(Func<StageFigures, double> f) => Median(runs.Select(f).ToList());
        double step = Med(r => r.MsPerIteration);
        output.WriteLine();
        output.WriteLine($"train-{stage}: schedule of {iterations} iterations, ran {steps} ({runs[^1].Timed} timed), {runs[^1].Gaussians} Gaussians at the end, {Med(r => r.Seconds):F1} s wall");
        output.WriteLine($"  per iteration: {step:F1} ms CPU (all threads), {Med(r => r.WallMsPerIteration):F1} ms wall (median of {runs.Count} runs)");
        output.WriteLine($"  {"phase",-14} {"cpu ms/it",10} {"share",7}");
        foreach (var phase in TrainingPhaseTimer.Phases)
        {
            double ms = Med(r => r.PhaseMs.GetValueOrDefault(phase));
            output.WriteLine($"  {phase,-14} {ms,10:F1} {100 * ms / step,6:F1}%");
        }
        double forward = Med(r => r.RasterForwardMs), backward = Med(r => r.RasterBackwardMs);
        bool shared = runs[^1].SharedRender;
        int rendersPerStep = shared ? 1 : 2;
        double rasterShare = rendersPerStep * (forward + backward);
        output.WriteLine($"  raster f+b alone: forward {forward:F1} ms + backward {backward:F1} ms per render of {(shared ? "6 colour channels (I_IC and I_C in one pass)" : "3 colour channels")}; " +
                         $"x{rendersPerStep} = {rasterShare:F1} ms/it = {100 * rasterShare / step:F0}% of the step (the rest is not rendering)");
        double perceptualMs = Med(r => r.PerceptualMs);
        output.WriteLine($"  perceptual f+b alone ({runs[^1].PerceptualName}, one render of view 0): {perceptualMs:F1} ms = {100 * perceptualMs / step:F0}% of the step " +
                         "('perceptual' above is its forward; its backward is inside 'backward')");
    }

    private static async Task<StageFigures> RunStageAsync(FlameModel flame, string stage, int iterations, int skip, int steps, int size, int viewCount, int frames, int perTriangle, bool sharedRender, FastPaths paths,
        PerceptualChoice perceptualChoice, int perceptualEvery, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        var gen = new torch.Generator(11);
        var shape = torch.zeros([1, flame.ShapeCount]);
        var canonicalFrame = flame.ZeroParameters().With(shape: shape);
        using var teacher = FlameGaussianAvatar.Create(flame, shape, perTriangle, localScale: 0.6 / Math.Sqrt(perTriangle), generator: gen);
        using (torch.no_grad())
        {
            var p = teacher.Parameters;
            p.ShDc.copy_(torch.randn(p.ShDc.shape, generator: gen).Times(0.6));
            p.OpacityLogits.FilledWith(2.0);
        }
        var canonical = CanonicalPositions.Of(teacher);
        var lo = canonical.amin(0).data<float>().ToArray();
        var hi = canonical.amax(0).data<float>().ToArray();
        var orbit = new OrbitCameraOptions
        {
            Width = size, Height = size, ViewCount = viewCount, TargetX = (lo[0] + hi[0]) / 2, TargetY = (lo[1] + hi[1]) / 2, TargetZ = (lo[2] + hi[2]) / 2,
        };
        var cameras = OrbitCameras.Create(orbit);
        var rasterizer = new GaussianRasterizer(new RasterizerOptions { Backend = paths.Backend });
        var white = torch.ones(3);
        TrainingView Target(Camera camera, FlameParameters frame, int index)
        {
            using var noGrad = torch.no_grad();
            var image = rasterizer.Render(teacher.Evaluate(frame), camera, white).Image.detach().clone();
            return new TrainingView { Camera = camera, Image = image, Frame = frame, Index = index };
        }
        var views = cameras.Select((c, i) => Target(c, canonicalFrame, i)).ToList();
        for (int f = 0; f < frames; f++)
        {
            // Video frames: the frontal source views, posed by a random expression and jaw.
            int source = f % Math.Min(3, viewCount);
            var expression = torch.randn([1, flame.ExpressionCount], generator: gen).Times(0.5);
            var jaw = torch.tensor(new float[] { 0.1f * (f % 3), 0, 0 }, [1, 3]);
            views.Add(Target(cameras[source], flame.ZeroParameters().With(shape: shape, expression: expression, jaw: jaw), source));
        }

        var stageOptions = new TrainingStageOptions();
        var coinOptions = stageOptions.Coin;
        coinOptions.PerceptualEvery = perceptualEvery;
        var options = stage == "static"
            ? TrainingSchedule.Static(iterations, iterations, coinOptions.DssimWeight, stageOptions, 7)
            : TrainingSchedule.FineTune(iterations, iterations, coinOptions.DssimWeight, stageOptions, 8);
        options.CachePosedFrames = paths.CacheFrames;
        options.FusedSsim = paths.FusedSsim;
        options.FusedAdam = paths.FusedAdam;
        options.FusedRegularisers = paths.FusedRegularisers;
        using var student = FlameGaussianAvatar.Create(flame, shape, stageOptions.GaussiansPerTriangle, stageOptions.InitialLocalScale, generator: new torch.Generator(5));
        student.FusedBinding = paths.FusedBinding;
        if (stage == "coin")
        {
            // TrainCoin starts from a trained static avatar: begin at the teacher's density and colours, perturbed.
            using var noGrad = torch.no_grad();
            student.Parameters.ShDc.FilledWith(0.0);
        }
        using var appearance = CoinAppearance.Create(viewCount, PositionEncoding.Fit(CanonicalPositions.Of(student), coinOptions.PositionFrequencies), coinOptions, 9);
        appearance.FusedCentring = paths.FusedCentring;
        var perceptual = perceptualChoice.Create();
        using var ownedPerceptual = perceptual as IDisposable;
        var hooks = new CoinTrainingHooks(appearance, perceptual, coinOptions, options, rasterizer, sharedRender);
        var timer = new TrainingPhaseTimer(ProcessCpuClock.Now, ProcessCpuClock.TicksPerSecond);
        using var trainer = new GaussianTrainer(student, views, options, hooks.Hooks, rasterizer) { Timer = timer };
        // The first step(s) outside the figures (JIT, first allocations; --skip), then the run.
        trainer.Step();
        while (trainer.Iteration < skip) trainer.Step();
        timer.Reset();
        long cpu0 = ProcessCpuClock.Now();
        var clock = Stopwatch.StartNew();
        await trainer.TrainAsync(untilIteration: steps, cancellationToken: ct);
        clock.Stop();
        double cpuMs = (ProcessCpuClock.Now() - cpu0) / (ProcessCpuClock.TicksPerSecond / 1000.0);
        int timed = Math.Max(1, timer.Steps);
        var phases = timer.Totals.ToDictionary(kv => kv.Key, kv => kv.Value.TotalMilliseconds / timed);
        var (fwd, bwd) = RasterizerAlone(rasterizer, student, views[0], sharedRender ? 6 : 3);
        double perceptualMs = PerceptualAlone(perceptual, rasterizer, student, views[0]);
        return new StageFigures(cpuMs / timed, clock.Elapsed.TotalMilliseconds / timed, phases, student.Parameters.Count, fwd, bwd, clock.Elapsed.TotalSeconds, timed, sharedRender,
            perceptualMs, perceptual.Name + (perceptualChoice.Name == "resnet18-cached" ? " (target taps cached)" : ""));
    }

    /// <summary>Median CPU time (ms) of the perceptual loss's forward + backward on one render of the view (the render itself not counted).</summary>
    private static double PerceptualAlone(IPerceptualLoss perceptual, GaussianRasterizer rasterizer, IGaussianAvatar avatar, TrainingView view)
    {
        Tensor image;
        using (torch.no_grad()) image = rasterizer.Render(avatar.Evaluate(view.Frame), view.Camera, torch.ones(3)).Image.detach();
        var times = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            using var scope = torch.NewDisposeScope();
            var rendered = image.clone().requires_grad_(true);
            long t0 = ProcessCpuClock.Now();
            perceptual.Loss(rendered, view.Image, view.Mask).backward();
            long t1 = ProcessCpuClock.Now();
            if (i > 0) times.Add((t1 - t0) / (ProcessCpuClock.TicksPerSecond / 1000.0));
        }
        image.Dispose();
        return Median(times);
    }

    /// <summary>Median forward and backward CPU time (ms) of one render of the avatar (colours with gradients, as in training).</summary>
    private static (double Forward, double Backward) RasterizerAlone(GaussianRasterizer rasterizer, IGaussianAvatar avatar, TrainingView view, int channels)
    {
        var forward = new List<double>();
        var backward = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            using var scope = torch.NewDisposeScope();
            var g = avatar.Evaluate(view.Frame);
            var rgb = g.ColorsFor(view.Camera).detach();
            var colors = (channels == 3 ? rgb : torch.cat([rgb, rgb], 1)).requires_grad_(true);
            var splat = g.WithColors(colors);
            var bg = torch.ones(channels);
            long t0 = ProcessCpuClock.Now();
            var image = rasterizer.Render(splat, view.Camera, bg).Image;
            long t1 = ProcessCpuClock.Now();
            var weights = torch.ones_like(image);
            var loss = (image * weights).sum();
            long t2 = ProcessCpuClock.Now();
            loss.backward();
            long t3 = ProcessCpuClock.Now();
            double f = (t1 - t0) / 1000.0, b = (t3 - t2) / 1000.0;
            if (i > 0) { forward.Add(f); backward.Add(b); }
        }
        foreach (var name in GaussianParameters.TrainableNames) avatar.Parameters[name].grad?.zero_();
        return (Median(forward), Median(backward));
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count == 0 ? double.NaN : v[v.Count / 2];
    }
}
