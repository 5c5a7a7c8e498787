using System.Diagnostics;
using System.Globalization;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.ImageQuality;
using FaceCraft4D.Weights;
using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Graphics.Training;

/// <summary>
/// Optimises an <see cref="IGaussianAvatar"/> against posed images (3DGS training loop): one random view per iteration
/// (shuffled epochs), loss (1 - w) L1 + w D-SSIM (11x11 Gaussian window) plus, for bound models, the GaussianAvatars
/// position/scale regularisers and an optional hook loss; Adam with per-parameter learning rates (exponentially
/// decaying position rate); SH degree raised every <see cref="TrainingOptions.ShDegreeInterval"/> iterations; adaptive
/// density control. Deterministic for a seed on a given machine (CPU). State (parameters, binding, Adam moments and
/// steps, densification statistics, hook tensors, iteration, RNG state; for FLAME avatars the shape, checked on load) saves
/// to and restores from a stream, so a job can resume from a blob checkpoint (the caller recreates the model object and the
/// views, then loads). Runs on the device of the model's tensors; Step and TrainAsync are synchronous compute
/// (call TrainAsync from a worker thread).
/// </summary>
public sealed class GaussianTrainer : IDisposable
{
    /// <summary>Checkpoint format tag.</summary>
    public const string CheckpointFormat = "fc4d-gaussian-checkpoint/1";

    private readonly IReadOnlyList<TrainingView> _views;
    private readonly TrainingHooks _hooks;
    private readonly AdamOptimizer _optimizer = new();
    private readonly DensityController _density;
    private readonly DeterministicRandom _rng;
    private readonly GaussianFilterBank _filters = new();
    private Tensor? _background;
    private int[] _order = Array.Empty<int>();
    private int _orderPosition;

    /// <summary>Creates a trainer (registers the model's tensors and the hook tensors with Adam).</summary>
    public GaussianTrainer(IGaussianAvatar model, IReadOnlyList<TrainingView> views, TrainingOptions options, TrainingHooks? hooks = null, GaussianRasterizer? rasterizer = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _views = views ?? throw new ArgumentNullException(nameof(views));
        if (views.Count == 0) throw new ArgumentException("At least one training view is needed.", nameof(views));
        foreach (var v in views)
            if (v.Image.ndim != 3 || v.Image.shape[0] != v.Camera.Height || v.Image.shape[1] != v.Camera.Width || v.Image.shape[2] != 3)
                throw new ArgumentException($"View {v.Index}: image must be [{v.Camera.Height}, {v.Camera.Width}, 3].", nameof(views));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.FocusView is { } focus && (focus.ViewPosition < 0 || focus.ViewPosition >= views.Count))
            throw new ArgumentException($"FocusView.ViewPosition {focus.ViewPosition} is outside the {views.Count} views.", nameof(options));
        if (options.Background.Length != 3) throw new ArgumentException("Background needs 3 values.", nameof(options));
        _hooks = hooks ?? new TrainingHooks();
        Rasterizer = rasterizer ?? new GaussianRasterizer();
        _rng = new DeterministicRandom(options.Seed);
        _density = new DensityController(options.Densification);
        SceneExtent = options.SceneExtent ?? CameraExtent(views.Select(v => v.Camera));

        if (options.CachePosedFrames && model is FlameGaussianAvatar flame)
            flame.PoseCache.Capacity = Math.Max(flame.PoseCache.Capacity, views.Select(v => v.Frame).Distinct().Count() + 1);

        var p = model.Parameters;
        _optimizer.Add(GaussianParameters.PositionsName, p.Positions, PositionLr(0));
        _optimizer.Add(GaussianParameters.LogScalesName, p.LogScales, options.ScalingLr);
        _optimizer.Add(GaussianParameters.RotationsName, p.Rotations, options.RotationLr);
        _optimizer.Add(GaussianParameters.OpacityLogitsName, p.OpacityLogits, options.OpacityLr);
        _optimizer.Add(GaussianParameters.ShDcName, p.ShDc, options.FeatureLr);
        _optimizer.Add(GaussianParameters.ShRestName, p.ShRest, options.FeatureRestLr);
        foreach (var e in _hooks.ExtraParameters) _optimizer.Add(ExtraKey(e.Name), e.Tensor, e.LearningRate);
        _density.ResetStatistics(p.Count, p.Device);
    }

    /// <summary>The model being trained.</summary>
    public IGaussianAvatar Model { get; }

    /// <summary>The options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The rasterizer used for training renders.</summary>
    public GaussianRasterizer Rasterizer { get; }

    /// <summary>Scene radius used for densification and position learning rates.</summary>
    public double SceneExtent { get; private set; }

    /// <summary>Optional per-phase timing of the iterations (benchmarks); null = not measured.</summary>
    public TrainingPhaseTimer? Timer { get; set; }

    /// <summary>Called by <see cref="TrainAsync"/> before every step, on the thread that runs the step (e.g. to set its libtorch thread count).</summary>
    public Action? BeforeStep { get; set; }

    /// <summary>Iterations completed.</summary>
    public int Iteration { get; private set; }

    /// <summary>The last progress record (null before the first step).</summary>
    public TrainingProgress? Last { get; private set; }

    /// <summary>3DGS scene extent: 1.1 x the largest distance of a camera centre from the mean centre (at least 1e-3).</summary>
    public static double CameraExtent(IEnumerable<Camera> cameras)
    {
        var c = cameras.Select(k => k.Position).ToList();
        var mean = new Vector3d(c.Average(p => p.X), c.Average(p => p.Y), c.Average(p => p.Z));
        return Math.Max(1e-3, 1.1 * c.Max(p => (p - mean).Length));
    }

    private static string ExtraKey(string name) => "extra." + name;

    private double PositionLr(int step)
    {
        double scale = Options.ScalePositionLrByExtent ? SceneExtent : 1.0;
        return TrainingOptions.ExponentialLr(step, Options.PositionLrInit * scale, Options.PositionLrFinal * scale, Options.PositionLrMaxSteps);
    }

    private TrainingView NextView()
    {
        if (_orderPosition >= _order.Length)
        {
            _order = _rng.Permutation(_views.Count);
            _orderPosition = 0;
        }
        return _views[_order[_orderPosition++]];
    }

    /// <summary>Runs one iteration and returns its figures.</summary>
    public TrainingProgress Step() => Step(Stopwatch.StartNew());

    private TrainingProgress Step(Stopwatch clock)
    {
        var timer = Timer;
        int it = ++Iteration;
        var p = Model.Parameters;
        var device = p.Device;
        var dens = Options.Densification;
        TrainingView view;
        double loss, l1v, dssimv, regv = 0, extrav = 0, psnr;
        using (var scope = torch.NewDisposeScope())
        {
            Tensor bg;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Data))
            {
                _optimizer.SetLearningRate(GaussianParameters.PositionsName, PositionLr(it));
                if (Options.ShDegreeInterval > 0 && it % Options.ShDegreeInterval == 0 && p.ActiveShDegree < p.MaxShDegree) p.ActiveShDegree++;
                view = Options.FocusView is { } focus && focus.Draws(it) ? _views[focus.ViewPosition] : NextView();
                bg = Options.RandomBackground
                    ? torch.tensor(new[] { _rng.NextDouble(), _rng.NextDouble(), _rng.NextDouble() }, p.Positions.dtype, device)
                    : FixedBackground(p.Positions.dtype, device);
            }
            SplatGaussians splat;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Model))
                splat = Model.Evaluate(view.Frame);
            var context = new TrainingStepContext(it, view, Model) { Splat = splat, Timer = timer };
            Tensor? companionColors = null;
            if (_hooks.ColorTransform is not null || _hooks.CompanionColors is not null)
            {
                Tensor baseRgb;
                using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Model))
                    baseRgb = splat.ColorsFor(view.Camera); // [N, 3]
                using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.CoinMlp))
                {
                    var colors = _hooks.ColorTransform is null ? baseRgb : _hooks.ColorTransform(context, baseRgb);
                    companionColors = _hooks.CompanionColors?.Invoke(context, baseRgb);
                    if (companionColors is not null && (companionColors.ndim != 2 || companionColors.shape[0] != colors.shape[0] || companionColors.shape[1] != 3))
                        throw new InvalidOperationException("CompanionColors must return [N, 3] colours.");
                    // One pass renders both images: channels 0-2 the training image, 3-5 the companion ([N, 6]).
                    splat = splat.WithColors(companionColors is null ? colors : torch.cat([colors, companionColors], 1));
                }
            }
            RenderOutput render;
            Tensor? companion = null;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Render))
            {
                render = Rasterizer.Render(splat, view.Camera, companionColors is null ? bg : torch.cat([bg, bg]));
                if (companionColors is not null)
                {
                    companion = render.Image.narrow(2, 3, 3); // [H, W, 3]
                    render = new RenderOutput
                    {
                        Image = render.Image.narrow(2, 0, 3), Alpha = render.Alpha, Depth = render.Depth, Projection = render.Projection,
                        Colors = render.Colors, Bins = render.Bins,
                    };
                    context = context with { Companion = companion };
                }
            }
            var target = view.Image;
            Tensor total, l1, dssim;
            Tensor? reg = null;
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Losses))
            {
                l1 = ImageLosses.L1(render.Image, target, view.Mask);
                dssim = ImageLosses.Ssim(render.Image, target, view.Mask, filters: _filters, fused: Options.FusedSsim).SubtractedFrom(1.0);
                total = l1.Times(1 - Options.LambdaDssim).Plus(dssim.Times(Options.LambdaDssim));
                if (Model.IsBound && (Options.LambdaPosition > 0 || Options.LambdaScale > 0))
                {
                    var visible = render.Projection.Visible;
                    bool fusedReg = Options.FusedRegularisers && BoundRegularisersFunction.Supports(p.Positions, p.LogScales, visible);
                    if (fusedReg)
                        reg = BoundRegularisersFunction.Apply(p.Positions, p.LogScales, visible, new BoundRegularisersFunction.Settings(
                            Options.LambdaPosition, Options.PositionThreshold, Options.LambdaScale, Options.ScaleThreshold));
                    else reg = torch.zeros(1, p.Positions.dtype, device).squeeze();
                    if (!fusedReg && visible.any().item<bool>())
                    {
                        if (Options.LambdaPosition > 0)
                            reg = reg.Plus(torch.nn.functional.relu(p.Positions.index_select(0, visible.nonzero().flatten()).norm(1).Minus(Options.PositionThreshold)).mean().Times(Options.LambdaPosition));
                        if (Options.LambdaScale > 0)
                            reg = reg.Plus(torch.nn.functional.relu(p.Scales().index_select(0, visible.nonzero().flatten()).Minus(Options.ScaleThreshold)).norm(1).mean().Times(Options.LambdaScale));
                    }
                    total = total.Plus(reg);
                }
            }
            Tensor? extra = _hooks.ExtraLoss?.Invoke(context, render, target);
            if (extra is not null) total = total.Plus(extra);
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Backward))
                total.backward();
            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Readback))
            {
                if (reg is not null) regv = reg.item<float>();
                if (extra is not null) extrav = extra.item<float>();
                loss = total.item<float>();
                l1v = l1.item<float>();
                dssimv = dssim.item<float>();
                psnr = ImageLosses.Psnr(render.Image, target);
            }

            using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Densification))
            if (dens.Enabled && it < dens.UntilIteration)
            {
                _density.Accumulate(render, view.Camera.Width, view.Camera.Height);
                if (it > dens.FromIteration && dens.Interval > 0 && it % dens.Interval == 0)
                {
                    bool pruneBig = dens.OpacityResetInterval > 0 && it > dens.OpacityResetInterval;
                    var gen = new torch.Generator(_rng.NextUInt64());
                    _density.DensifyAndPrune(Model, _optimizer, SceneExtent, pruneBig, gen);
                }
                if (dens.OpacityResetInterval > 0 && (it % dens.OpacityResetInterval == 0 || (IsWhite(Options.Background) && !Options.RandomBackground && it == dens.FromIteration)))
                    DensityController.ResetOpacity(p, _optimizer);
            }
        }
        using (TrainingPhaseTimer.Start(timer, TrainingPhaseTimer.Optimizer))
        {
            _optimizer.Fused = Options.FusedAdam;
            _optimizer.Step(zeroGradients: true);
        }
        timer?.CountStep();
        Last = new TrainingProgress(it, Options.Iterations, loss, l1v, dssimv, regv, extrav, psnr, p.Count, clock.Elapsed);
        return Last;
    }

    /// <summary>The fixed background [3], built once (again if the model's dtype or device changes).</summary>
    private Tensor FixedBackground(ScalarType dtype, Device device)
    {
        if (_background is null || _background.dtype != dtype || _background.device.ToString() != device.ToString())
        {
            _background?.Dispose();
            _background = torch.tensor(Options.Background, dtype, device).DetachFromDisposeScope();
        }
        return _background;
    }

    private static bool IsWhite(double[] bg) => bg.All(v => v >= 0.999);

    /// <summary>
    /// Trains until <see cref="TrainingOptions.Iterations"/> (or <paramref name="untilIteration"/>), reporting progress every
    /// <see cref="TrainingOptions.ProgressInterval"/> iterations and calling <paramref name="checkpointSink"/> every
    /// <see cref="TrainingOptions.CheckpointInterval"/> iterations and at the end. Cancellation is checked between iterations.
    /// </summary>
    public async Task<TrainingProgress?> TrainAsync(IProgress<TrainingProgress>? progress = null,
        Func<GaussianTrainer, CancellationToken, Task>? checkpointSink = null, int? untilIteration = null, CancellationToken cancellationToken = default)
    {
        int end = Math.Min(untilIteration ?? Options.Iterations, Options.Iterations);
        var clock = Stopwatch.StartNew();
        while (Iteration < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BeforeStep?.Invoke();
            var r = Step(clock);
            if (progress is not null && (Options.ProgressInterval > 0 && r.Iteration % Options.ProgressInterval == 0 || r.Iteration == end)) progress.Report(r);
            if (checkpointSink is not null && Options.CheckpointInterval > 0 && r.Iteration % Options.CheckpointInterval == 0 && r.Iteration != end)
                await checkpointSink(this, cancellationToken).ConfigureAwait(false);
        }
        if (checkpointSink is not null && Last is not null) await checkpointSink(this, cancellationToken).ConfigureAwait(false);
        return Last;
    }

    /// <summary>Renders the current model into a camera without gradients (active SH degree, optional frame).</summary>
    public RenderOutput Render(Camera camera, FlameParameters? frame = null, double[]? background = null)
    {
        using var noGrad = torch.no_grad();
        var p = Model.Parameters;
        var bg = torch.tensor(background ?? Options.Background, p.Positions.dtype, p.Device);
        return Rasterizer.Render(Model.Evaluate(frame), camera, bg);
    }

    /// <summary>Writes the full training state (see class remarks) as safetensors.</summary>
    public async Task SaveCheckpointAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var file = new InMemorySafeTensors();
        using (var scope = torch.NewDisposeScope())
        {
            var p = Model.Parameters;
            p.WriteTo(file, "gaussians.");
            _optimizer.WriteTo(file, "adam.");
            _density.WriteTo(file, p.Count, p.Device, "density.");
            foreach (var e in _hooks.ExtraParameters) file.Add(ExtraKey(e.Name), e.Tensor);
            if (Model is FlameGaussianAvatar avatar) file.Add("avatar.flame_shape", avatar.Shape);
            var inv = CultureInfo.InvariantCulture;
            file.Metadata["format"] = CheckpointFormat;
            file.Metadata["iteration"] = Iteration.ToString(inv);
            file.Metadata["rng_state"] = _rng.State.ToString(inv);
            file.Metadata["view_order"] = string.Join(",", _order);
            file.Metadata["view_order_position"] = _orderPosition.ToString(inv);
            file.Metadata["scene_extent"] = SceneExtent.ToString("R", inv);
            file.Metadata["bound"] = Model.IsBound ? "true" : "false";
        }
        await file.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Restores state written by <see cref="SaveCheckpointAsync"/> into this trainer's model, optimizer and hooks.</summary>
    public async Task LoadCheckpointAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var file = await InMemorySafeTensors.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        if (!file.Metadata.TryGetValue("format", out var fmt) || fmt != CheckpointFormat)
            throw new InvalidDataException($"Not a {CheckpointFormat} checkpoint.");
        if ((file.Metadata["bound"] == "true") != Model.IsBound)
            throw new InvalidDataException("Checkpoint and model disagree on whether Gaussians are bound to a mesh.");
        var p = Model.Parameters;
        var inv = CultureInfo.InvariantCulture;
        using (var scope = torch.NewDisposeScope())
        {
            if (Model is FlameGaussianAvatar avatar && file.Contains("avatar.flame_shape"))
            {
                var shape = file.GetTorch("avatar.flame_shape", avatar.Shape.device, avatar.Shape.dtype);
                if (!shape.shape.SequenceEqual(avatar.Shape.shape) || (shape - avatar.Shape).abs().max().to_type(torch.ScalarType.Float64).item<double>() > 1e-6)
                    throw new InvalidDataException("Checkpoint was trained with a different FLAME shape than this avatar.");
            }
            using var loaded = GaussianParameters.ReadFrom(file, "gaussians.", p.Device, p.Positions.dtype);
            foreach (var name in GaussianParameters.TrainableNames)
            {
                p.Replace(name, loaded[name]);
                _optimizer.Reset(name, p[name]);
            }
            p.ReplaceBinding(loaded.Binding);
            p.ActiveShDegree = loaded.ActiveShDegree;
            using (torch.no_grad())
                foreach (var e in _hooks.ExtraParameters)
                    e.Tensor.copy_(file.GetTorch(ExtraKey(e.Name), e.Tensor.device, e.Tensor.dtype));
            _optimizer.ReadFrom(file, "adam.");
            _density.ReadFrom(file, p.Device, "density.");
        }
        Iteration = int.Parse(file.Metadata["iteration"], inv);
        _rng.State = ulong.Parse(file.Metadata["rng_state"], inv);
        var order = file.Metadata["view_order"];
        _order = order.Length == 0 ? Array.Empty<int>() : order.Split(',').Select(s => int.Parse(s, inv)).ToArray();
        _orderPosition = int.Parse(file.Metadata["view_order_position"], inv);
        SceneExtent = double.Parse(file.Metadata["scene_extent"], inv);
    }

    /// <summary>Disposes optimizer state and statistics (not the model or the views).</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _density.Dispose();
        _filters.Dispose();
        _background?.Dispose();
    }
}
