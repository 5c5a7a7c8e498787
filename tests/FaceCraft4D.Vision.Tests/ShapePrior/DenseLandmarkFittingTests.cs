using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;
using TorchSharp;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// Dense FLAME fitting: the MediaPipe-to-FLAME correspondence on the procedural head, and recovering a synthetic
/// head's identity, expression, jaw, eyes and camera from its projected FaceMesh points.
/// </summary>
public sealed class DenseLandmarkFittingTests(ITestOutputHelper output)
{
    private static readonly Lazy<DenseFitTarget> Target = new(() => new DenseFitTarget(SyntheticHead.Model, withIrises: true));

    [Fact]
    public void Correspondence_aligns_the_canonical_face_and_covers_the_face()
    {
        var c = Target.Value.Correspondence;
        output.WriteLine($"{c.Count} points (of 468 + 2 irises), anchor rms {1000 * c.AnchorRmsMetres:F1} mm");
        Assert.True(c.Count >= 460, $"only {c.Count} FaceMesh points landed on the head");
        Assert.Contains(468, c.MeshIndices);
        Assert.Contains(473, c.MeshIndices);
        Assert.True(c.AnchorRmsMetres < 0.006, $"anchor rms {c.AnchorRmsMetres} m");
        Assert.All(c.Barycentrics, b => Assert.InRange(b, -1e-9, 1 + 1e-9));
        // Eye corners, mouth corners and irises land on consistent sides of the head (x sign).
        var m = Target.Value.Model;
        using var mean = m.Forward(torch.zeros(0), torch.zeros(0), torch.zeros(15));
        double X(int mesh)
        {
            int k = c.MeshIndices.ToList().IndexOf(mesh);
            Assert.True(k >= 0, $"FaceMesh point {mesh} has no correspondence");
            return mean[k, 0].item<float>();
        }
        output.WriteLine($"x: 33 {X(33):F4}, 263 {X(263):F4}, 61 {X(61):F4}, 291 {X(291):F4}, iris 468 {X(468):F4}, 473 {X(473):F4}");
        double side = Math.Sign(X(33));
        Assert.True(side != 0 && Math.Sign(X(263)) == -side && Math.Sign(X(61)) == side && Math.Sign(X(291)) == -side);
        Assert.True(Math.Sign(X(468)) == side && Math.Sign(X(473)) == -side, "each iris sits on its eye's side");
    }

    [Fact]
    public void Similarity_recovers_a_known_transform()
    {
        var rng = new Random(3);
        var src = Enumerable.Range(0, 10).Select(_ => new[] { rng.NextDouble(), rng.NextDouble(), rng.NextDouble() }).ToList();
        var r = HeadPose.RotationFromAngles(0.3, -0.2, 0.1);
        var dst = src.Select(p => Enumerable.Range(0, 3).Select(a => 2.5 * (r[3 * a] * p[0] + r[3 * a + 1] * p[1] + r[3 * a + 2] * p[2]) + a).ToArray()).ToList();
        var (s, rot, t) = DenseLandmarkCorrespondence.Similarity(src, dst);
        Assert.Equal(2.5, s, 9);
        for (int i = 0; i < 9; i++) Assert.Equal(r[i], rot[i], 9);
        for (int a = 0; a < 3; a++) Assert.Equal(a, t[a], 9);
    }

    [Theory]
    [InlineData(4, 12.0, -6.0, 3.0)]
    [InlineData(5, -20.0, 8.0, -4.0)]
    public void Dense_fit_recovers_a_synthetic_head_better_than_68_points(int seed, double yaw, double pitch, double roll)
    {
        const int size = 512;
        var head = SyntheticHead.Create(seed, size, yaw, pitch, roll, noisePixels: 1.0);
        var eyes = new[] { 0.12f, -0.1f, 0f, 0.12f, -0.1f, 0f };
        var truth = new FittedHead(head.Shape, head.Expression, new[] { head.Jaw, 0f, 0f }, head.Pose, head.Camera, head.TrueLandmarks, 0, 0);
        var target = Target.Value;
        var projected = DenseFitProjection.Project(target, truth, eyes);
        var rng = new Random(seed);
        var dense = new float[3 * 478];
        for (int k = 0; k < target.Correspondence.Count; k++)
        {
            int i = target.Correspondence.MeshIndices[k];
            dense[3 * i] = projected[2 * k] + (float)(0.5 * (rng.NextDouble() - 0.5) * 2);
            dense[3 * i + 1] = projected[2 * k + 1] + (float)(0.5 * (rng.NextDouble() - 0.5) * 2);
        }
        using var model = new FlameLandmarkModel(SyntheticHead.Model);
        var fitter = new FlameLandmarkFitter(new LandmarkFitOptions());
        var fit68 = fitter.Fit(model, head.NoisyLandmarks, head.Camera.Intrinsics);
        var fit = fitter.FitDense(model, target, head.NoisyLandmarks, dense, head.Camera.Intrinsics);

        // The fitter's own projection and the reference camera agree.
        var reprojected = DenseFitProjection.Project(target, fit.Head, fit.Eyes);
        Assert.True(reprojected.Zip(fit.FittedDense, (a, b) => Math.Abs(a - b)).Max() < 1e-2);

        double denseRms = Rms(fit.FittedDense, projected);
        double dense68Rms = Rms(DenseFitProjection.Project(target, fit68, null), projected);
        double vertexErrDense = MeanVertexError(fit.Head, head), vertexErr68 = MeanVertexError(fit68, head);
        var (fy, fp, fr) = fit.Head.Pose.AnglesDegrees();
        var (ty, tp, tr) = head.Pose.AnglesDegrees();
        output.WriteLine($"seed {seed}: dense-point rms to truth: dense fit {denseRms:F2} px, 68 fit {dense68Rms:F2} px; " +
                         $"mean 3D vertex error: dense {1000 * vertexErrDense:F2} mm, 68 {1000 * vertexErr68:F2} mm; " +
                         $"eyes {fit.Eyes[0]:F3},{fit.Eyes[1]:F3} / {fit.Eyes[3]:F3},{fit.Eyes[4]:F3} (true 0.12,-0.10); jaw {fit.Head.Jaw[0]:F3} (true {head.Jaw:F3}); " +
                         $"yaw {fy:F2} ({ty:F2}) pitch {fp:F2} ({tp:F2}) roll {fr:F2} ({tr:F2})");
        Assert.True(denseRms < 1.0, $"dense rms {denseRms}");
        Assert.True(denseRms < dense68Rms, "the dense fit should match the dense points better than the 68-point fit");
        Assert.True(vertexErrDense < vertexErr68, $"3D error dense {vertexErrDense} vs 68 {vertexErr68}");
        Assert.InRange(fy - ty, -2, 2);
        Assert.InRange(fp - tp, -2, 2);
        Assert.InRange(fr - tr, -1, 1);
        // Eyes from two noisy iris centres (0.5 px noise ~ 0.03 rad): within 0.07 rad of the truth.
        Assert.InRange(fit.Eyes[0], 0.05, 0.19);
        Assert.InRange(fit.Eyes[1], -0.17, -0.03);
        Assert.InRange(fit.Eyes[3], 0.05, 0.19);
        Assert.InRange(fit.Eyes[4], -0.17, -0.03);
    }

    [Fact]
    public void Dense_fit_rejects_mismatched_input()
    {
        var head = SyntheticHead.Create(1, 256, 0, 0, 0, 0);
        using var model = new FlameLandmarkModel(SyntheticHead.Model);
        var fitter = new FlameLandmarkFitter(new LandmarkFitOptions());
        Assert.Throws<ArgumentException>(() => fitter.FitDense(model, Target.Value, head.TrueLandmarks, new float[10], head.Camera.Intrinsics));
        // Irises in the correspondence but a 468-point mesh.
        Assert.Throws<ArgumentException>(() => fitter.FitDense(model, Target.Value, head.TrueLandmarks, new float[3 * 468], head.Camera.Intrinsics));
    }

    private static double Rms(float[] a, float[] b) =>
        Math.Sqrt(Enumerable.Range(0, a.Length / 2).Average(k => Math.Pow(a[2 * k] - b[2 * k], 2) + Math.Pow(a[2 * k + 1] - b[2 * k + 1], 2)));

    /// <summary>Mean distance of the face vertices (model frame, neutral pose) between a fit and the truth, metres.</summary>
    internal static double MeanVertexError(FittedHead fit, SyntheticHead truth)
    {
        using var model = new FlameModel(SyntheticHead.Model);
        using var scope = torch.NewDisposeScope();
        torch.Tensor Vertices(float[] shape, float[] expr, float jaw) => model.Forward(model.ZeroParameters().With(
            shape: torch.tensor(shape).unsqueeze(0), expression: torch.tensor(expr).unsqueeze(0),
            jaw: torch.tensor(new[] { jaw, 0f, 0f }).unsqueeze(0))).Vertices[0];
        var a = Vertices(fit.Shape, fit.Expression, fit.Jaw[0]);
        var b = Vertices(truth.Shape, truth.Expression, truth.Jaw);
        var face = SyntheticHead.Model.VertexMasks["face"].to(torch.ScalarType.Int64);
        return (a.index_select(0, face) - b.index_select(0, face)).norm(1).mean().item<float>();
    }
}
