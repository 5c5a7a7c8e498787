using System.Diagnostics;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.ShapePrior.Template;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// Multi-view FLAME tracking in the manner of GaussianAvatars (supp. 6.3 of FaceCraft4D): the cameras are known (the
/// orbit views of the shape prior), the head's global rotation stays zero, and the unknowns are per-frame expression,
/// jaw, neck and eye rotations and translation, plus a shared identity and canonical static offsets. Energy of a frame:
/// <list type="bullet">
/// <item>photometric: mean |render - frame| over the pixels of every view of the frame, the render being the head's
/// surface splats (<see cref="SurfaceSplatRenderer"/>, differentiable 3DGS) in the video's own appearance, over white;
/// plus SilhouetteWeight x mean |alpha - mask| where the frames have masks;</item>
/// <item>landmarks: the model's embedded landmarks projected by each view's camera against the landmarks detected on
/// that frame (face-api.js port), mean squared distance over the image width squared, jaw contour down-weighted; views
/// where detection failed (side views) contribute only photometrically;</item>
/// <item>regularisers: squared deviation of expression and rotations from the fitted neutral, squared translation,
/// squared change from the neighbouring frames, and (when refining identity) squared shape change from the fit,
/// mean squared offset refinement and its mean squared uniform Laplacian (millimetres).</item>
/// </list>
/// Schedule (<see cref="TrackingSchedule"/>): clip 0's first frame with identity and offsets, every other clip's first
/// frame from it, each following frame from the previous one, then global refinement epochs over all frames in random
/// order (one Adam step per frame with identity and offsets, learning rates x GlobalRateFactor). Adam with a learning
/// rate per parameter kind. Deterministic for a seed on one machine.
/// </summary>
public sealed class FlameTracker
{
    /// <summary>Managed memory a stretch of tracking steps may allocate without a collection (see <see cref="QuietGarbageCollection"/>).</summary>
    private const long QuietBudgetBytes = 64L << 20;

    /// <summary>Steps per quiet stretch (about 0.5 MB of managed allocation per step and view).</summary>
    private const int QuietSteps = 16;

    private readonly AnimatableHead head;
    private readonly FlameTrackingOptions options;
    private readonly Device device;

    /// <summary>Creates a tracker for the animatable head (its model, identity, neutral and prior offsets).</summary>
    public FlameTracker(AnimatableHead head, FlameTrackingOptions? options = null)
    {
        this.head = head ?? throw new ArgumentNullException(nameof(head));
        this.options = options ?? new FlameTrackingOptions();
        device = head.Flame.Device;
    }

    /// <summary>Tracks every video; videos with the same clip index are one multi-view sequence.</summary>
    public TrackingResult Track(IReadOnlyList<TrackingVideo> videos, TrackingSchedule schedule, IProgress<TrackingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(videos);
        ArgumentNullException.ThrowIfNull(schedule);
        if (videos.Count == 0) throw new ArgumentException("Nothing to track.", nameof(videos));
        using var scope = torch.NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var session = new Session(head, options, videos, device);
        var metrics = new Dictionary<string, double>();

        int g = session.FrameCount;
        long total = schedule.FirstFrameIterations * session.ClipCount + (long)schedule.PerFrameIterations * (g - session.ClipCount) + (long)schedule.GlobalEpochs * g;
        long done = 0;
        double lastLoss = 0;
        void Report(string phase) => progress?.Report(new TrackingProgress(phase, done, total, lastLoss));

        // 1-2. First frame of every clip (clip 0 also refines identity), then every following frame from the previous one.
        var firstClock = Stopwatch.StartNew();
        double firstSeconds = 0, sequentialSeconds = 0;
        for (int c = 0; c < session.ClipCount; c++)
        {
            int start = session.ClipStart(c);
            for (int t = 0; t < session.ClipLength(c); t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int row = start + t;
                if (t > 0) session.CopyRow(row - 1, row);
                else if (c > 0) session.CopyRow(session.ClipStart(0), row);
                bool first = t == 0;
                bool identity = options.RefineIdentity && c == 0 && t == 0;
                int iterations = first ? schedule.FirstFrameIterations : schedule.PerFrameIterations;
                var stepClock = Stopwatch.StartNew();
                QuietGarbageCollection? quiet = null;
                try
                {
                    for (int i = 0; i < iterations; i++)
                    {
                        if (i % QuietSteps == 0)
                        {
                            quiet?.Dispose();
                            quiet = new QuietGarbageCollection(QuietBudgetBytes);
                        }
                        lastLoss = session.Step(row, identity, neighbours: t > 0 ? [row - 1] : [], rateFactor: 1.0);
                        done++;
                        if (i % 10 == 0) Report(first ? "first-frame" : "sequential");
                    }
                }
                finally
                {
                    quiet?.Dispose();
                }
                if (first) firstSeconds += stepClock.Elapsed.TotalSeconds;
                else sequentialSeconds += stepClock.Elapsed.TotalSeconds;
            }
        }
        metrics["first_frame_seconds"] = firstSeconds;
        metrics["sequential_seconds"] = sequentialSeconds;
        int following = g - session.ClipCount;
        metrics["seconds_per_frame_sequential"] = following > 0 ? sequentialSeconds / following : 0;

        // 3. Global refinement: epochs over all frames in a seeded random order.
        var random = new Random(schedule.Seed);
        var globalClock = Stopwatch.StartNew();
        for (int epoch = 0; epoch < schedule.GlobalEpochs; epoch++)
        {
            var order = Enumerable.Range(0, g).ToArray();
            random.Shuffle(order);
            foreach (var block in order.Chunk(QuietSteps))
            {
                using var quiet = new QuietGarbageCollection(QuietBudgetBytes);
                foreach (var row in block)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (clip, t) = session.Locate(row);
                    var neighbours = new List<int>();
                    if (t > 0) neighbours.Add(row - 1);
                    if (t + 1 < session.ClipLength(clip)) neighbours.Add(row + 1);
                    lastLoss = session.Step(row, options.RefineIdentity, neighbours, options.GlobalRateFactor);
                    done++;
                }
            }
            Report("global");
        }
        metrics["global_seconds"] = globalClock.Elapsed.TotalSeconds;
        metrics["splats"] = session.Splats.Count;
        metrics["tracking_width"] = session.TrackingWidth;
        metrics["views_per_clip_max"] = session.MaxViewsPerClip;

        var frames = session.Evaluate(cancellationToken);
        metrics["photometric_mean"] = frames.Average(f => f.Photometric);
        var lmk = frames.Where(f => !double.IsNaN(f.LandmarkErrorPixels)).ToArray();
        metrics["landmark_error_px_mean"] = lmk.Length > 0 ? lmk.Average(f => f.LandmarkErrorPixels) : double.NaN;
        metrics["frames_with_landmarks"] = lmk.Length;
        metrics["frames"] = g;
        metrics["tracking_seconds"] = clock.Elapsed.TotalSeconds;
        Report("done");
        return new TrackingResult(session.ShapeValues(), session.OffsetValues(), frames, metrics);
    }

    /// <summary>The optimisation state of one tracking run.</summary>
    private sealed class Session
    {
        private readonly AnimatableHead head;
        private readonly FlameTrackingOptions o;
        private readonly Device device;
        private readonly List<List<PreparedVideo>> clips = [];
        private readonly int[] clipStart;
        private readonly int e, d;
        private readonly Tensor theta, neutralRow, shape, shape0, delta, priorOffsets, expressionTail;
        private readonly RowAdam thetaAdam, shapeAdam, deltaAdam;
        private readonly Tensor? edgeFrom, edgeTo, degree;
        private readonly int[] landmarkIbug;

        public Session(AnimatableHead head, FlameTrackingOptions options, IReadOnlyList<TrackingVideo> videos, Device device)
        {
            this.head = head;
            o = options;
            this.device = device;
            var dt = ScalarType.Float32;
            e = Math.Min(head.Model.ExpressionCount, options.MaxExpressionComponents);
            d = FlameFrame.VectorLength(e);
            landmarkIbug = LandmarkCorrespondence.ForModel(head.Model.LandmarkCount).IbugIndices.ToArray();
            Splats = new SurfaceSplatRenderer(head.Faces, head.Layout.HeadFaceCount, options.SplatsPerTriangle, options.SplatScale, options.SplatOpacity, device,
                new Graphics.Splatting.RasterizerOptions { LowPassFilter = options.LowPassFilter });

            foreach (var group in videos.GroupBy(v => v.Clip).OrderBy(gr => gr.Key))
            {
                var prepared = group.OrderBy(v => v.View).Select(v => Prepare(v)).ToList();
                int length = prepared.Min(p => p.Frames.Count);
                if (length == 0) throw new ArgumentException($"Clip {group.Key} has a video without frames.");
                clips.Add(prepared.Select(p => p with { Frames = p.Frames.Take(length).ToArray() }).ToList());
                ClipIds.Add(group.Key);
            }
            clipStart = new int[clips.Count + 1];
            for (int c = 0; c < clips.Count; c++) clipStart[c + 1] = clipStart[c] + clips[c][0].Frames.Count;
            FrameCount = clipStart[^1];
            MaxViewsPerClip = clips.Max(c => c.Count);
            TrackingWidth = clips[0][0].Camera.Width;

            var neutral = head.Neutral;
            neutralRow = torch.tensor(neutral.ToVector(e), dt, device).unsqueeze(0);
            expressionTail = torch.tensor(neutral.Expression.Skip(e).ToArray(), dt, device).unsqueeze(0);
            theta = neutralRow.expand(FrameCount, d).clone().requires_grad_(true);
            var rates = new double[d];
            for (int i = 0; i < d; i++)
                rates[i] = i < e ? o.ExpressionRate : i < e + 12 ? o.PoseRate : o.TranslationRate;
            thetaAdam = new RowAdam(theta, rates);
            shape0 = torch.tensor(head.Shape, dt, device).unsqueeze(0);
            shape = shape0.clone().requires_grad_(true);
            shapeAdam = new RowAdam(shape, Enumerable.Repeat(o.ShapeRate, head.Shape.Length).ToArray());
            int v0 = head.BaseVertexCount;
            priorOffsets = head.Offsets?.detach().clone() ?? torch.zeros(v0, 3, dt, device);
            delta = torch.zeros(v0, 3, dt, device).requires_grad_(true);
            deltaAdam = new RowAdam(delta, [o.OffsetRate, o.OffsetRate, o.OffsetRate]);
            (edgeFrom, edgeTo, degree) = Edges(head, v0, device);
        }

        public SurfaceSplatRenderer Splats { get; }

        public List<int> ClipIds { get; } = [];

        public int ClipCount => clips.Count;

        public int FrameCount { get; }

        public int MaxViewsPerClip { get; }

        public int TrackingWidth { get; }

        public int ClipStart(int c) => clipStart[c];

        public int ClipLength(int c) => clipStart[c + 1] - clipStart[c];

        public (int Clip, int Frame) Locate(int row)
        {
            int c = Array.FindLastIndex(clipStart, s => s <= row);
            c = Math.Min(c, clips.Count - 1);
            return (c, row - clipStart[c]);
        }

        public void CopyRow(int from, int to)
        {
            using var noGrad = torch.no_grad();
            // The row views are disposed here (held through the copy), not left to the finalizer.
            using var target = theta[to];
            using var source = theta[from];
            target.copy_(source);
        }

        /// <summary>One Adam step on a frame; returns the loss.</summary>
        public double Step(int row, bool identity, IReadOnlyList<int> neighbours, double rateFactor)
        {
            using var scope = torch.NewDisposeScope();
            var loss = FrameLoss(row, identity, neighbours, out _, out _);
            loss.backward();
            thetaAdam.RateFactor = rateFactor;
            thetaAdam.Step([row]);
            if (identity)
            {
                shapeAdam.RateFactor = rateFactor;
                deltaAdam.RateFactor = rateFactor;
                shapeAdam.Step();
                deltaAdam.Step();
            }
            else
            {
                shape.grad?.zero_();
                delta.grad?.zero_();
            }
            return loss.item<float>();
        }

        /// <summary>Final per-frame figures (no gradients).</summary>
        public IReadOnlyList<TrackedFrame> Evaluate(CancellationToken ct)
        {
            var frames = new List<TrackedFrame>(FrameCount);
            using var noGrad = torch.no_grad();
            for (int row = 0; row < FrameCount; row++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                FrameLoss(row, identity: false, [], out var photometric, out var landmarks);
                var (c, t) = Locate(row);
                var values = theta[row].detach().cpu().data<float>().ToArray();
                var frame = FlameFrame.FromVector(values, e);
                if (head.Neutral.Expression.Length > e)
                    frame = frame with { Expression = [.. frame.Expression, .. head.Neutral.Expression.Skip(e)] };
                var lm = landmarks.Where(x => !double.IsNaN(x)).ToArray();
                frames.Add(new TrackedFrame(ClipIds[c], t, frame, photometric, lm.Length > 0 ? lm.Average() : double.NaN, lm.Length));
            }
            return frames;
        }

        public float[] ShapeValues()
        {
            using var scope = torch.NewDisposeScope();
            return shape.detach().cpu().data<float>().ToArray();
        }

        public float[] OffsetValues()
        {
            using var scope = torch.NewDisposeScope();
            return priorOffsets.Plus(delta.detach()).cpu().contiguous().data<float>().ToArray();
        }

        private Tensor FrameLoss(int row, bool identity, IReadOnlyList<int> neighbours, out double photometric, out double[] landmarkErrors)
        {
            var (c, t) = Locate(row);
            var index = torch.tensor(new long[] { row }, ScalarType.Int64, device);
            var values = theta.index_select(0, index); // [1, D]
            var shapeNow = identity ? shape : shape.detach();
            var offsets = priorOffsets.Plus(identity ? delta : delta.detach());
            var parameters = new FlameParameters
            {
                Shape = shapeNow,
                Expression = torch.cat([values.narrow(1, 0, e), expressionTail], 1),
                Jaw = values.narrow(1, e, 3),
                Neck = values.narrow(1, e + 3, 3),
                Eyes = values.narrow(1, e + 6, 6),
                Translation = values.narrow(1, e + 12, 3),
                GlobalRotation = torch.zeros(1, 3, ScalarType.Float32, device),
            };
            var (vertices, landmarks) = head.Posed.Forward(parameters, offsets);
            var views = clips[c];
            var loss = torch.zeros(1, ScalarType.Float32, device).squeeze();
            double photo = 0;
            landmarkErrors = new double[views.Count];
            int landmarkViews = views.Count(v => v.Frames[t].LandmarkTarget is not null);
            foreach (var (video, k) in views.Select((v, k) => (v, k)))
            {
                var frame = video.Frames[t];
                var (image, alpha) = Splats.Render(vertices[0], video.Colours, video.Camera);
                var target = frame.Image().to(device);
                var l1 = (image - target).abs().mean();
                photo += l1.item<float>() / views.Count;
                loss = loss.Plus(l1.Times(o.PhotometricWeight / views.Count));
                // Both rasterizer outputs always join the loss (an unused output leaves the autograd node a gradient to invent).
                loss = frame.Mask is not null && o.SilhouetteWeight > 0
                    ? loss.Plus((alpha - frame.MaskTensor()!.to(device)).abs().mean().Times(o.SilhouetteWeight / views.Count))
                    : loss.Plus(alpha.sum().Times(0.0));
                landmarkErrors[k] = double.NaN;
                if (frame.LandmarkTarget is { } lt && frame.LandmarkWeight is { } lw)
                {
                    var projected = Project(landmarks[0], video.Camera); // [L, 2]
                    var d2 = (projected - lt.to(device)).Power(2).sum(1); // [L]
                    var w = lw.to(device);
                    loss = loss.Plus(((d2 * w).sum().Times(o.LandmarkWeight / landmarkViews) / w.sum().ClampedMin(1e-6)).DividedBy(video.Camera.Width * (double)video.Camera.Width));
                    using (torch.no_grad())
                    {
                        var valid = w.IsGreaterThan(0);
                        landmarkErrors[k] = d2.sqrt().masked_select(valid).mean().item<float>() * video.Scale;
                    }
                }
            }
            photometric = photo;
            var deviation = values - neutralRow;
            loss = loss.Plus(deviation.narrow(1, 0, e).Power(2).sum().Times(o.ExpressionPrior)).Plus(deviation.narrow(1, e, 12).Power(2).sum().Times(o.PosePrior)).Plus(values.narrow(1, e + 12, 3).Power(2).sum().Times(o.TranslationPrior));
            foreach (var n in neighbours)
                loss = loss.Plus((values - theta[n].detach().unsqueeze(0)).Power(2).sum().Times(o.TemporalWeight));
            if (identity)
            {
                loss = loss.Plus((shape - shape0).Power(2).sum().Times(o.ShapePrior));
                var mm = delta.Times(1000.0);
                loss = loss.Plus(mm.Power(2).mean().Times(o.OffsetPrior));
                if (edgeFrom is not null)
                {
                    var neighbourSum = HeldScalarOps.Hold(1.0.ToScalar(), held => torch.zeros_like(mm).index_add(0, edgeFrom, mm.index_select(0, edgeTo!), held));
                    var laplacian = mm - neighbourSum / degree!;
                    loss = loss.Plus(laplacian.Power(2).mean().Times(o.OffsetSmoothness));
                }
            }
            return loss;
        }

        private static Tensor Project(Tensor points, Camera camera)
        {
            var view = camera.ViewMatrixTensor(points.device, points.dtype);
            var cam = torch.matmul(points, view.narrow(0, 0, 3).narrow(1, 0, 3).t()).Plus(view.narrow(0, 0, 3).select(1, 3));
            var k = camera.Intrinsics;
            var z = cam.select(1, 2).ClampedMin(1e-4);
            var u = (cam.select(1, 0) / z).Times(k.Fx).Plus(k.Cx);
            var v = (cam.select(1, 1) / z).Times(k.Fy).Plus(k.Cy);
            return torch.stack([u, v], 1);
        }

        private PreparedVideo Prepare(TrackingVideo video)
        {
            var first = video.Frames.FirstOrDefault() ?? throw new ArgumentException($"Video of view {video.View}, clip {video.Clip} has no frames.");
            var camera = video.Camera.Width == first.Width && video.Camera.Height == first.Height
                ? video.Camera
                : video.Camera.Resized(first.Width, first.Height);
            // Frames may have been downsampled from the camera's size; landmark errors are reported in the video's pixels.
            double scale = (double)video.Camera.Width / first.Width;
            var frames = video.Frames.Select(f => new PreparedFrame(f, Targets(f))).ToArray();
            return new PreparedVideo(video.View, camera, Splats.Colours(video.Appearance), frames, scale);
        }

        private (Tensor? Target, Tensor? Weight) Targets(TrackingFrame frame)
        {
            if (frame.Landmarks is not { Length: 136 } lm) return (null, null);
            var target = new float[landmarkIbug.Length * 2];
            var weight = new float[landmarkIbug.Length];
            for (int m = 0; m < landmarkIbug.Length; m++)
            {
                int i = landmarkIbug[m];
                float x = lm[2 * i], y = lm[2 * i + 1];
                if (float.IsNaN(x) || float.IsNaN(y)) continue;
                target[2 * m] = x;
                target[2 * m + 1] = y;
                weight[m] = i <= 16 ? (float)o.ContourLandmarkWeight : 1f;
            }
            if (weight.All(w => w == 0)) return (null, null);
            return (torch.tensor(target, [landmarkIbug.Length, 2]), torch.tensor(weight));
        }

        private static (Tensor?, Tensor?, Tensor?) Edges(AnimatableHead head, int v0, Device device)
        {
            var pairs = new HashSet<(int, int)>();
            var f = head.Faces;
            for (int t = 0; t < head.Layout.HeadFaceCount; t++)
                for (int k = 0; k < 3; k++)
                {
                    int a = f[3 * t + k], b = f[3 * t + (k + 1) % 3];
                    if (a >= v0 || b >= v0) continue;
                    pairs.Add((a, b));
                    pairs.Add((b, a));
                }
            if (pairs.Count == 0) return (null, null, null);
            var from = torch.tensor(pairs.Select(p => (long)p.Item1).ToArray(), ScalarType.Int64, device);
            var to = torch.tensor(pairs.Select(p => (long)p.Item2).ToArray(), ScalarType.Int64, device);
            var deg = HeldScalarOps.Hold(1.0.ToScalar(), held => torch.zeros(v0, ScalarType.Float32, device).index_add(0, from, torch.ones(pairs.Count, ScalarType.Float32, device), held)).ClampedMin(1).unsqueeze(1);
            return (from, to, deg);
        }
    }

    private sealed record PreparedFrame(TrackingFrame Source, (Tensor? Target, Tensor? Weight) Landmark)
    {
        public byte[]? Mask => Source.Mask;

        public Tensor? LandmarkTarget => Landmark.Target;

        public Tensor? LandmarkWeight => Landmark.Weight;

        /// <summary>[H, W, 3] in [0, 1].</summary>
        public Tensor Image() => torch.tensor(Source.Rgb, [Source.Height, Source.Width, 3]).to(ScalarType.Float32).DividedBy(255.0);

        /// <summary>[H, W] in [0, 1].</summary>
        public Tensor? MaskTensor() => Source.Mask is null ? null : torch.tensor(Source.Mask, [Source.Height, Source.Width]).to(ScalarType.Float32).DividedBy(255.0);
    }

    private sealed record PreparedVideo(int View, Camera Camera, Tensor Colours, IReadOnlyList<PreparedFrame> Frames, double Scale);
}
