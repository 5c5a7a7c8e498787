using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Preprocessing.Camera;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// Fits a FLAME-format head to 68 detected landmarks under a pinhole camera of known field of view: head rotation
/// and translation, identity (shape) and expression coefficients and the jaw opening, with L2 priors on the
/// coefficients (the energy of <see cref="LandmarkFitOptions"/>). Two Adam stages on TorchSharp autograd: rigid
/// (camera only, mean head) from the preprocessing's PnP pose, then everything. Runs on the model's device and dtype.
/// <see cref="FitDense"/> fits the same parameters (plus the eyes) to MediaPipe FaceMesh landmarks instead.
/// </summary>
public sealed class FlameLandmarkFitter(LandmarkFitOptions options)
{
    private const double RotationScale = 0.3;   // radians per parameter unit
    private const double PixelScale = 10.0;     // pixels per parameter unit of the projected head origin

    /// <summary>Fits the model to <paramref name="landmarks"/> (iBUG 68, interleaved x/y, pixel centres at +0.5).</summary>
    /// <param name="model">The head model restricted to its landmarks (its device and dtype are used).</param>
    /// <param name="landmarks">Detected landmarks in the image of <paramref name="intrinsics"/>.</param>
    /// <param name="intrinsics">The camera of the image.</param>
    /// <param name="cancellationToken">Checked between iterations.</param>
    public FittedHead Fit(FlameLandmarkModel model, float[] landmarks, CameraIntrinsics intrinsics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(landmarks);
        ArgumentNullException.ThrowIfNull(intrinsics);
        if (landmarks.Length != 136) throw new ArgumentException("Expected 68 landmarks (136 values).", nameof(landmarks));
        return FitCore(model, landmarks, null, intrinsics, cancellationToken).Head;
    }

    /// <summary>
    /// Fits identity, expression, jaw, eyes (when the correspondence has the irises) and camera to dense MediaPipe
    /// FaceMesh landmarks: the data term runs over the <paramref name="dense"/> points (each weighted 68 / count, so
    /// the priors keep the balance of the 68-point fit); the 68 landmarks start the pose (PnP) and the rigid stage.
    /// </summary>
    /// <param name="model">The head restricted to its 68 (or 51) landmarks.</param>
    /// <param name="dense">The head restricted to the FaceMesh points, with their correspondence.</param>
    /// <param name="landmarks">iBUG 68 landmarks, interleaved x/y, pixel centres at +0.5.</param>
    /// <param name="denseLandmarks">FaceMesh landmarks (468 or 478) interleaved x/y/z in the same pixels (z unused).</param>
    public DenseFittedHead FitDense(FlameLandmarkModel model, DenseFitTarget dense, float[] landmarks, float[] denseLandmarks,
        CameraIntrinsics intrinsics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(landmarks);
        ArgumentNullException.ThrowIfNull(denseLandmarks);
        ArgumentNullException.ThrowIfNull(intrinsics);
        if (landmarks.Length != 136) throw new ArgumentException("Expected 68 landmarks (136 values).", nameof(landmarks));
        if (denseLandmarks.Length is not (3 * 468 or 3 * 478))
            throw new ArgumentException($"Expected 468 or 478 FaceMesh landmarks x 3 values, got {denseLandmarks.Length}.", nameof(denseLandmarks));
        if (dense.Correspondence.MeshIndices.Any(i => 3 * i + 2 >= denseLandmarks.Length))
            throw new ArgumentException("The correspondence has iris points but the landmarks are the 468-point mesh; build it without irises.", nameof(dense));
        return FitCore(model, landmarks, (dense, denseLandmarks), intrinsics, cancellationToken);
    }

    private DenseFittedHead FitCore(FlameLandmarkModel model, float[] landmarks, (DenseFitTarget Target, float[] Points)? dense,
        CameraIntrinsics intrinsics, CancellationToken cancellationToken)
    {
        var correspondence = LandmarkCorrespondence.ForModel(model.LandmarkCount);
        var device = model.Device;
        var dtype = model.DType;
        int shapeCount = Math.Min(options.ShapeComponents, model.ShapeCount);
        int exprCount = Math.Min(options.ExpressionComponents, model.ExpressionCount);
        var zeroPose = torch.zeros(15, dtype, device);

        using var scope = torch.NewDisposeScope();
        var ibug = correspondence.IbugIndices;
        var target = torch.tensor(ibug.SelectMany(i => new[] { (double)landmarks[2 * i], landmarks[2 * i + 1] }).ToArray(),
            new long[] { ibug.Count, 2 }, dtype, device);
        var weights = torch.tensor(ibug.Select(i => i <= 16 ? options.ContourWeight : 1.0).ToArray(), dtype, device);
        Tensor? denseTarget = null, denseWeights = null;
        bool fitEyes = false;
        if (dense is { } d)
        {
            var idx = d.Target.Correspondence.MeshIndices;
            denseTarget = torch.tensor(idx.SelectMany(i => new[] { (double)d.Points[3 * i], d.Points[3 * i + 1] }).ToArray(),
                new long[] { idx.Count, 2 }, dtype, device);
            denseWeights = torch.tensor(idx.Select(i => (i >= 468 ? options.IrisWeight : 1.0) * 68.0 / idx.Count).ToArray(), dtype, device);
            fitEyes = options.FitEyes && idx.Any(i => i >= 468);
        }
        double eyeDistance = InterOcularDistance(landmarks);
        double f = intrinsics.Fx, fy = intrinsics.Fy, cx = intrinsics.Cx, cy = intrinsics.Cy;

        // Mean-head landmarks and the PnP pose of the preprocessing as the starting point.
        Tensor meanLandmarks;
        Tensor? meanDense = null;
        using (torch.no_grad())
        {
            meanLandmarks = model.Forward(torch.zeros(0, dtype, device), torch.zeros(0, dtype, device), zeroPose).detach();
            if (dense is { } dd) meanDense = dd.Target.Model.Forward(torch.zeros(0, dtype, device), torch.zeros(0, dtype, device), zeroPose).detach();
        }
        var (r0, t0) = InitialPose(landmarks, intrinsics, meanLandmarks, correspondence);
        double z0 = t0[2], u0 = f * t0[0] / t0[2], v0 = fy * t0[1] / t0[2];

        var rotation = new Parameter(torch.tensor(r0.Select(r => r / RotationScale).ToArray(), dtype, device));
        var position = new Parameter(torch.zeros(3, dtype, device));
        var shape = new Parameter(torch.zeros(new long[] { 1, shapeCount }, dtype, device));
        var expression = new Parameter(torch.zeros(new long[] { 1, exprCount }, dtype, device));
        var jaw = new Parameter(torch.zeros(1, dtype, device));
        var eyes = new Parameter(torch.zeros(4, dtype, device)); // (x, y) axis-angle of joint 3 (left eye), then joint 4

        Tensor Project(Tensor points)
        {
            var r = Rotations.AxisAngleToMatrix(rotation.Times(RotationScale)); // [3, 3]
            var m = torch.matmul(points, r.t()); // [L, 3] in model axes (y up, z to the camera)
            var z = torch.exp(position[2]).Times(z0);
            var tx = ((position[0].Times(PixelScale).Plus(u0)) * z).DividedBy(f);
            var ty = ((position[1].Times(PixelScale).Plus(v0)) * z).DividedBy(fy);
            var xc = m.select(1, 0).Plus(tx);
            var yc = (-m.select(1, 1)).Plus(ty);
            var zc = (-m.select(1, 2)).Plus(z);
            return torch.stack(new[] { (xc.Times(f) / zc).Plus(cx), (yc.Times(fy) / zc).Plus(cy) }, 1); // [L, 2]
        }

        Tensor DataTerm(Tensor projected, Tensor goal, Tensor w) =>
            ((projected - goal).Power(2).sum(1) * w).sum().DividedBy(eyeDistance * eyeDistance);

        Tensor Pose()
        {
            var zero1 = torch.zeros(1, dtype, device);
            return torch.cat(new[] { torch.zeros(6, dtype, device), jaw, torch.zeros(2, dtype, device), // jaw x is entry 6
                eyes.narrow(0, 0, 2), zero1, eyes.narrow(0, 2, 2), zero1 });
        }

        Tensor ModelLandmarks() => model.Forward(shape, expression, Pose());
        Tensor ModelDense() => dense!.Value.Target.Model.Forward(shape, expression, Pose());

        double sparseWeight = dense is null ? 1.0 : options.SparseWeightInDenseFit;
        Tensor Data(Tensor sparsePoints, Func<Tensor>? densePoints)
        {
            if (densePoints is null) return DataTerm(Project(sparsePoints), target, weights);
            var e = DataTerm(Project(densePoints()), denseTarget!, denseWeights!);
            return sparseWeight > 0 ? e.Plus(DataTerm(Project(sparsePoints), target, weights).Times(sparseWeight)) : e;
        }

        Tensor Energy(bool full)
        {
            if (!full)
                return Data(meanLandmarks, dense is null ? null : () => meanDense!);
            var e = Data(ModelLandmarks(), dense is null ? null : ModelDense).Plus(shape.Power(2).sum().Times(options.ShapeRegularization)).Plus(expression.Power(2).sum().Times(options.ExpressionRegularization)).Plus(jaw.Power(2).sum().Times(options.JawRegularization));
            if (fitEyes) e = e.Plus(eyes.Power(2).sum().Times(options.EyeRegularization));
            return e;
        }

        Optimise(new[] { rotation, position }, options.RigidIterations, full: false);
        var full = new List<Parameter> { rotation, position };
        if (shapeCount > 0) full.Add(shape);
        if (exprCount > 0) full.Add(expression);
        if (options.FitJaw) full.Add(jaw);
        if (fitEyes) full.Add(eyes);
        Optimise(full, options.FullIterations, full: true);

        void Optimise(IEnumerable<Parameter> parameters, int iterations, bool full)
        {
            if (iterations <= 0) return;
            using var adam = new HeldAdam(parameters, options.LearningRate);
            double gamma = Math.Pow(Math.Clamp(options.FinalLearningRateFraction, 1e-4, 1), 1.0 / iterations);
            for (int it = 0; it < iterations; it++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var step = torch.NewDisposeScope();
                adam.ZeroGrad();
                var energy = Energy(full);
                energy.backward();
                adam.Step();
                adam.LearningRate *= gamma; // ExponentialLR: multiplied by gamma after every step
                using (torch.no_grad())
                {
                    jaw.ClampInPlace(0, options.MaxJawOpening);
                    eyes.ClampInPlace(-options.MaxEyeRotation, options.MaxEyeRotation);
                }
            }
        }

        using (torch.no_grad())
        {
            var modelLandmarks = ModelLandmarks();
            var projected = Project(modelLandmarks).to(ScalarType.Float64).cpu();
            double energy = Energy(true).to(ScalarType.Float64).item<double>();
            var fitted = Enumerable.Repeat(float.NaN, 136).ToArray();
            var pj = projected.data<double>().ToArray();
            double sq = 0;
            for (int k = 0; k < ibug.Count; k++)
            {
                int i = ibug[k];
                fitted[2 * i] = (float)pj[2 * k];
                fitted[2 * i + 1] = (float)pj[2 * k + 1];
                sq += Math.Pow(pj[2 * k] - landmarks[2 * i], 2) + Math.Pow(pj[2 * k + 1] - landmarks[2 * i + 1], 2);
            }
            var r = (rotation.Times(RotationScale)).to(ScalarType.Float64).cpu().data<double>().ToArray();
            var pos = position.to(ScalarType.Float64).cpu().data<double>().ToArray();
            double z = z0 * Math.Exp(pos[2]);
            var pose = new HeadPose(HeadPose.RotationFromAxisAngle(r[0], r[1], r[2]),
                new[] { (u0 + PixelScale * pos[0]) * z / f, (v0 + PixelScale * pos[1]) * z / fy, z });
            var head = new FittedHead(
                ToFloats(shape), ToFloats(expression),
                new[] { (float)jaw.to(ScalarType.Float64).item<double>(), 0f, 0f },
                pose,
                new Camera(intrinsics, pose.ToExtrinsics(), "reference"),
                fitted,
                Math.Sqrt(sq / ibug.Count),
                energy);
            var e = ToFloats(eyes);
            var eyePose = new[] { e[0], e[1], 0f, e[2], e[3], 0f };
            if (dense is not { } dn) return new DenseFittedHead(head, eyePose, Array.Empty<float>(), Array.Empty<int>());
            var dp = Project(ModelDense()).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            return new DenseFittedHead(head, eyePose, dp, dn.Target.Correspondence.MeshIndices.ToArray());
        }
    }

    /// <summary>Distance between the eye centres (iBUG 36-41 and 42-47), pixels.</summary>
    public static double InterOcularDistance(float[] landmarks)
    {
        double rx = 0, ry = 0, lx = 0, ly = 0;
        for (int i = 36; i < 42; i++) { rx += landmarks[2 * i]; ry += landmarks[2 * i + 1]; }
        for (int i = 42; i < 48; i++) { lx += landmarks[2 * i]; ly += landmarks[2 * i + 1]; }
        return Math.Max(1.0, Math.Sqrt(Math.Pow((rx - lx) / 6, 2) + Math.Pow((ry - ly) / 6, 2)));
    }

    /// <summary>
    /// The preprocessing's PnP on the generic face (its pixel convention has centres at integers, hence the -0.5),
    /// converted to the model: same rotation, and the translation that puts the model's nose tip (iBUG 30) where
    /// the generic face's nose tip (its origin) is.
    /// </summary>
    private static (double[] AxisAngle, double[] Translation) InitialPose(
        float[] landmarks, CameraIntrinsics intrinsics, Tensor meanLandmarks, LandmarkCorrespondence correspondence)
    {
        double fov = 2 * Math.Atan(0.5 * Math.Max(intrinsics.Width, intrinsics.Height) / intrinsics.Fx) * 180 / Math.PI;
        var estimator = new HeadPoseEstimator(new CameraOptions { FovDegrees = fov });
        var shifted = new FaceLandmarks68(landmarks.Select(v => v - 0.5f).ToArray());
        var pnp = estimator.Estimate(shifted, intrinsics.Width, intrinsics.Height);
        var m = HeadPose.RotationFromAngles(pnp.YawDegrees * Math.PI / 180, pnp.PitchDegrees * Math.PI / 180, pnp.RollDegrees * Math.PI / 180);
        int noseIndex = correspondence.IbugIndices.ToList().IndexOf(30);
        var nose = meanLandmarks[noseIndex].to(ScalarType.Float64).cpu().data<double>().ToArray();
        var mn = new[]
        {
            m[0] * nose[0] + m[1] * nose[1] + m[2] * nose[2],
            m[3] * nose[0] + m[4] * nose[1] + m[5] * nose[2],
            m[6] * nose[0] + m[7] * nose[1] + m[8] * nose[2],
        };
        var t = new[] { pnp.TranslationX / 1000 - mn[0], pnp.TranslationY / 1000 + mn[1], pnp.TranslationZ / 1000 + mn[2] };
        return (HeadPose.AxisAngleFromRotation(m), t);
    }

    private static float[] ToFloats(Tensor t) => t.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
}
