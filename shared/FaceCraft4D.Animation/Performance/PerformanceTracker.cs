using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.ShapePrior.Template;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// Fits FLAME expression, jaw, eyes and head pose to the landmarks of every frame of a driving video against a FIXED
/// identity (the avatar's shape), under a pinhole camera of assumed field of view (<see cref="PerformanceTrackerOptions.FovYDegrees"/>).
/// Energy per frame: the landmark data term (squared reprojection residuals over the inter-ocular distance squared; the
/// dense FaceMesh points through the MediaPipe-FLAME correspondence when the frame has them, each weighted 68 / count,
/// else the model's iBUG landmarks), L2 priors on expression, jaw and eyes, and the temporal term
/// <see cref="PerformanceTrackerOptions.TemporalWeight"/> |theta - theta_prior|^2 (optimiser units) to the previous frame.
/// Each frame is warm-started from the previous tracked frame; the first tracked frame of a sequence gets a rigid stage and
/// more iterations. Adam on TorchSharp autograd, float32 on the CPU (or the given device).
/// </summary>
public sealed class PerformanceTracker : IDisposable
{
    private const double RotationScale = 0.3;   // radians per optimiser unit
    private const double PixelScale = 10.0;     // pixels per optimiser unit of the projected head origin

    private readonly FlameLandmarkModel sparse;
    private readonly DenseFitTarget? dense;
    private readonly LandmarkCorrespondence correspondence;
    private readonly Tensor shape;       // [S]
    private readonly int expressionCount;
    private readonly PerformanceTrackerOptions options;
    private readonly Device device;

    /// <summary>Prepares the landmark models of the identity.</summary>
    /// <param name="model">The avatar's FLAME-format model (personalised template); not owned.</param>
    /// <param name="identity">The avatar's identity coefficients (kept fixed).</param>
    /// <param name="options">Fit settings.</param>
    /// <param name="useDense">Prepare the FaceMesh correspondence (frames with dense landmarks use it).</param>
    /// <param name="device">Where to fit (default CPU).</param>
    public PerformanceTracker(FlameModelData model, float[] identity, PerformanceTrackerOptions options, bool useDense, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(identity);
        this.options = (options ?? throw new ArgumentNullException(nameof(options))).Validated();
        this.device = device ?? torch.CPU;
        sparse = new FlameLandmarkModel(model, this.device);
        correspondence = LandmarkCorrespondence.ForModel(sparse.LandmarkCount);
        dense = useDense ? new DenseFitTarget(model, withIrises: true, this.device) : null;
        expressionCount = Math.Min(options.ExpressionComponents, model.ExpressionCount);
        var s = identity.Take(model.ShapeCount).ToArray();
        shape = torch.tensor(s, ScalarType.Float32, this.device).DetachFromDisposeScope();
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
            neutral = sparse.Forward(shape, torch.zeros(0, ScalarType.Float32, this.device), torch.zeros(15, ScalarType.Float32, this.device))
                .cpu().contiguous().data<float>().ToArray(); // [L, 3]
    }

    private readonly float[] neutral; // the identity's landmarks at zero expression and pose, [L * 3]

    /// <summary>Expression coefficients per frame (E').</summary>
    public int ExpressionCount => expressionCount;

    /// <summary>Whether frames with dense landmarks are fitted to the FaceMesh correspondence.</summary>
    public bool UsesDense => dense is not null;

    /// <summary>The camera assumed for a frame of the given size.</summary>
    public CameraIntrinsics Intrinsics(int width, int height) => CameraIntrinsics.FromVerticalFov(width, height, options.FovYDegrees);

    /// <summary>
    /// Tracks consecutive frames in order. Frames without a face are returned untracked with the previous frame's values
    /// (or neutral ones before the first face); the frame after a gap is warm-started from the last tracked frame.
    /// </summary>
    public IReadOnlyList<PerformanceFrame> Track(IReadOnlyList<FaceObservation> frames, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var result = new List<PerformanceFrame>(frames.Count);
        PerformanceFrame? previous = null;
        for (int i = 0; i < frames.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var observation = frames[i];
            PerformanceFrame frame;
            if (!observation.HasFace)
                frame = (previous ?? Neutral(observation)) with { Frame = observation.Frame, Tracked = false, ErrorIod = double.NaN, FacesFound = observation.FacesFound, InnerLip = double.NaN };
            else if (previous is null)
                frame = Fit(observation, null, null, options.FirstFrameRigidIterations, options.FirstFrameIterations, cancellationToken);
            else
                frame = Fit(observation, previous, previous, 0, options.PerFrameIterations, cancellationToken);
            if (frame.Tracked) previous = frame;
            result.Add(frame);
            progress?.Report(i + 1);
        }
        return result;
    }

    /// <summary>
    /// Re-fits one tracked frame starting from <paramref name="start"/> with the temporal term pulling toward
    /// <paramref name="prior"/> (the fan-in's smoothed neighbours): the global refinement pass.
    /// </summary>
    public PerformanceFrame Refine(FaceObservation observation, PerformanceFrame start, PerformanceFrame prior, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(prior);
        if (!observation.HasFace || options.RefinementIterations == 0) return start;
        return Fit(observation, start, prior, 0, options.RefinementIterations, cancellationToken);
    }

    /// <summary>Reprojection error of a frame's parameters on an observation, over the inter-ocular distance (NaN without a face).</summary>
    public double Error(FaceObservation observation, PerformanceFrame frame)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(frame);
        if (!observation.HasFace) return double.NaN;
        return Fit(observation, frame, null, 0, 0, CancellationToken.None).ErrorIod;
    }

    private PerformanceFrame Neutral(FaceObservation o) =>
        new(o.Frame, false, new float[expressionCount], new float[3], new float[6], new float[3], [0, 0, 0.5f], double.NaN, o.FacesFound, double.NaN);

    private PerformanceFrame Fit(FaceObservation o, PerformanceFrame? init, PerformanceFrame? prior, int rigidIterations, int iterations, CancellationToken ct)
    {
        var landmarks = o.Landmarks68!;
        var k = Intrinsics(o.Width, o.Height);
        double f = k.Fx, fy = k.Fy, cx = k.Cx, cy = k.Cy;
        double iod = Math.Max(1e-3, o.InterOcularDistance);
        bool useDense = dense is not null && o.Dense is not null && dense.Correspondence.MeshIndices.All(i => 3 * i + 2 < o.Dense.Length);
        bool fitEyes = useDense && dense!.Correspondence.MeshIndices.Any(i => i >= 468);
        var points = useDense ? dense!.Model : sparse;

        using var scope = torch.NewDisposeScope();
        var dt = ScalarType.Float32;
        Tensor target, weights;
        if (useDense)
        {
            var idx = dense!.Correspondence.MeshIndices;
            target = torch.tensor(idx.SelectMany(i => new[] { o.Dense![3 * i], o.Dense[3 * i + 1] }).ToArray(), [idx.Count, 2], dt, device);
            weights = torch.tensor(idx.Select(i => (float)((i >= 468 ? options.IrisWeight : 1.0) * 68.0 / idx.Count)).ToArray(), dt, device);
        }
        else
        {
            var ibug = correspondence.IbugIndices;
            target = torch.tensor(ibug.SelectMany(i => new[] { landmarks[2 * i], landmarks[2 * i + 1] }).ToArray(), [ibug.Count, 2], dt, device);
            weights = torch.ones(ibug.Count, dt, device);
        }
        var pixelWeights = (weights / weights.sum()).Times(weights.shape[0]); // for the reported mean distance: mean over points

        // Anchor of the image-position / depth parameters: the start frame's head origin, else a guess from the eyes.
        double z0, u0, v0;
        if (init is not null)
        {
            z0 = Math.Max(0.05, init.Translation[2]);
            u0 = f * init.Translation[0] / z0 + cx;
            v0 = fy * init.Translation[1] / z0 + cy;
        }
        else
        {
            (z0, u0, v0) = InitialAnchor(landmarks, f);
        }
        float[] startRotation = init?.Rotation ?? [0, 0, 0];
        var rotation = new Parameter(torch.tensor(startRotation.Select(r => (float)(r / RotationScale)).ToArray(), dt, device));
        var position = new Parameter(torch.zeros(3, dt, device));
        var expression = new Parameter(torch.tensor(Pad(init?.Expression, expressionCount), dt, device));
        var jaw = new Parameter(torch.tensor(new[] { init?.Jaw[0] ?? 0f }, dt, device));
        var eyes = new Parameter(torch.tensor(init is null ? new float[4] : [init.Eyes[0], init.Eyes[1], init.Eyes[3], init.Eyes[4]], dt, device));

        Tensor? priorVector = null;
        if (prior is not null)
        {
            double pz = Math.Max(0.05, prior.Translation[2]);
            double pu = f * prior.Translation[0] / pz + cx, pv = fy * prior.Translation[1] / pz + cy;
            var values = new List<float>();
            values.AddRange(prior.Rotation.Select(r => (float)(r / RotationScale)));
            values.AddRange([(float)((pu - u0) / PixelScale), (float)((pv - v0) / PixelScale), (float)Math.Log(pz / z0)]);
            values.AddRange(Pad(prior.Expression, expressionCount));
            values.Add(prior.Jaw[0] / (float)RotationScale);
            values.AddRange(new[] { prior.Eyes[0], prior.Eyes[1], prior.Eyes[3], prior.Eyes[4] }.Select(e => e / (float)RotationScale));
            priorVector = torch.tensor(values.ToArray(), dt, device);
        }

        Tensor Pose()
        {
            var z1 = torch.zeros(1, dt, device);
            return torch.cat([torch.zeros(6, dt, device), jaw, torch.zeros(2, dt, device), eyes.narrow(0, 0, 2), z1, eyes.narrow(0, 2, 2), z1]); // [15]
        }

        Tensor Project(Tensor p) // p [L, 3] model frame -> [L, 2] pixels
        {
            var r = Rotations.AxisAngleToMatrix(rotation.Times(RotationScale)); // [3, 3]
            var m = torch.matmul(p, r.t());
            var z = torch.exp(position[2]).Times(z0);
            var tx = ((position[0].Times(PixelScale).Plus(u0 - cx)) * z).DividedBy(f);
            var ty = ((position[1].Times(PixelScale).Plus(v0 - cy)) * z).DividedBy(fy);
            var xc = m.select(1, 0).Plus(tx);
            var yc = (-m.select(1, 1)).Plus(ty);
            var zc = (-m.select(1, 2)).Plus(z).ClampedMin(1e-3);
            return torch.stack([(xc.Times(f) / zc).Plus(cx), (yc.Times(fy) / zc).Plus(cy)], 1);
        }

        Tensor Projected(bool rigid) => Project(points.Forward(shape, rigid ? expression.detach() : expression, rigid ? Pose().detach() : Pose()));

        Tensor Energy(bool rigid)
        {
            var residual = (Projected(rigid) - target).Power(2).sum(1);
            var e = (residual * weights).sum().DividedBy(iod * iod);
            if (rigid) return e;
            e = e.Plus(expression.Power(2).sum().Times(options.ExpressionRegularization)).Plus(jaw.Power(2).sum().Times(options.JawRegularization));
            if (fitEyes) e = e.Plus(eyes.Power(2).sum().Times(options.EyeRegularization));
            if (priorVector is not null)
            {
                var current = torch.cat([rotation, position, expression, jaw.DividedBy(RotationScale), eyes.DividedBy(RotationScale)]);
                e = e.Plus((current - priorVector).Power(2).sum().Times(options.TemporalWeight));
            }
            return e;
        }

        void Optimise(IReadOnlyList<Parameter> parameters, int count, bool rigid)
        {
            if (count <= 0) return;
            using var adam = new HeldAdam(parameters, options.LearningRate);
            for (int it = 0; it < count; it++)
            {
                ct.ThrowIfCancellationRequested();
                using var step = torch.NewDisposeScope();
                adam.ZeroGrad();
                Energy(rigid).backward();
                adam.Step();
                using (torch.no_grad())
                {
                    jaw.ClampInPlace(options.MinJawOpening, options.MaxJawOpening);
                    eyes.ClampInPlace(-options.MaxEyeRotation, options.MaxEyeRotation);
                }
            }
        }

        Optimise([rotation, position], rigidIterations, rigid: true);
        var full = new List<Parameter> { rotation, position, jaw };
        if (expressionCount > 0) full.Add(expression);
        if (fitEyes) full.Add(eyes);
        Optimise(full, iterations, rigid: false);

        using (torch.no_grad())
        {
            var distance = (Projected(false) - target).Power(2).sum(1).sqrt();
            double error = (distance * pixelWeights).mean().item<float>() / iod;
            var pos = position.data<float>().ToArray();
            double z = z0 * Math.Exp(pos[2]);
            var translation = new[] { (float)((u0 - cx + PixelScale * pos[0]) * z / f), (float)((v0 - cy + PixelScale * pos[1]) * z / fy), (float)z };
            var e4 = eyes.data<float>().ToArray();
            return new PerformanceFrame(o.Frame, true,
                expression.data<float>().ToArray(),
                [jaw.data<float>()[0], 0, 0],
                [e4[0], e4[1], 0, e4[2], e4[3], 0],
                rotation.data<float>().ToArray().Select(r => (float)(r * RotationScale)).ToArray(),
                translation, error, o.FacesFound, o.InnerLipOpening);
        }
    }

    /// <summary>
    /// The first frame's anchor: depth from the ratio of the identity's and the image's inter-ocular distances, head origin
    /// placed so the identity's landmark centroid projects onto the detected landmarks' centroid (frontal guess).
    /// </summary>
    private (double Z, double U, double V) InitialAnchor(float[] landmarks, double f)
    {
        var ibug = correspondence.IbugIndices;
        double mx = 0, my = 0, ix = 0, iy = 0;
        double[] right = new double[3], left = new double[3];
        int nr = 0, nl = 0;
        for (int k = 0; k < ibug.Count; k++)
        {
            int i = ibug[k];
            mx += neutral[3 * k]; my += neutral[3 * k + 1];
            ix += landmarks[2 * i]; iy += landmarks[2 * i + 1];
            if (i is >= 36 and <= 41) { for (int c = 0; c < 3; c++) right[c] += neutral[3 * k + c]; nr++; }
            if (i is >= 42 and <= 47) { for (int c = 0; c < 3; c++) left[c] += neutral[3 * k + c]; nl++; }
        }
        mx /= ibug.Count; my /= ibug.Count; ix /= ibug.Count; iy /= ibug.Count;
        double modelIod = nr > 0 && nl > 0 ? Math.Sqrt(Enumerable.Range(0, 3).Sum(c => Math.Pow(right[c] / nr - left[c] / nl, 2))) : 0.063;
        double z = Math.Clamp(f * modelIod / Math.Max(1, FaceObservation.InterOcular(landmarks)), 0.05, 50);
        return (z, ix - f * mx / z, iy + f * my / z);
    }

    private static float[] Pad(float[]? values, int n)
    {
        var r = new float[n];
        if (values is not null) Array.Copy(values, r, Math.Min(n, values.Length));
        return r;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        shape.Dispose();
        sparse.Dispose();
        dense?.Dispose();
    }
}
