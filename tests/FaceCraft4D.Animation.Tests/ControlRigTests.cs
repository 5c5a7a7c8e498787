using FaceCraft4D.Animation.Clips;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace FaceCraft4D.Animation.Tests;

/// <summary>Semantic controls on different expression bases, and the bundled clips on the built-in head.</summary>
public sealed class ControlRigTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_expression_control_moves_its_landmarks_the_way_it_is_defined_on_the_built_in_head()
    {
        using var model = ProceduralHeadModel.Create();
        var solver = new ExpressionControlSolver(model);
        foreach (var control in SemanticControls.All.Values.Where(c => c.IsExpression))
        {
            var (cosine, gain) = Agreement(solver, control, solver.Solve(control));
            output.WriteLine($"{control.Name,-14} cosine {cosine:F2}  gain {gain:F2}");
            Assert.True(cosine > 0.5, $"{control.Name}: achieved landmark motion points elsewhere (cosine {cosine:F2})");
            Assert.True(gain > 0.2, $"{control.Name}: achieved landmark motion is too small (gain {gain:F2})");
        }
    }

    [Fact]
    public void Controls_are_basis_independent_an_orthogonal_change_of_basis_gives_the_same_motion_and_a_larger_basis_fits_at_least_as_well()
    {
        using var model = ProceduralHeadModel.Create();
        int e = model.ExpressionCount;
        using var q = torch.linalg.qr(torch.randn([e, e], generator: new Generator(5))).Q; // random orthogonal [E, E]
        using var rotated = WithExpressionDirs(model, torch.matmul(model.ExpressionDirs, q));
        // A FLAME-like larger basis: the same span (mixed) plus 40 small unrelated components.
        using var extra = torch.randn([model.VertexCount, 3, 40], generator: new Generator(6)).Times(2e-4);
        using var larger = WithExpressionDirs(model, torch.cat([torch.matmul(model.ExpressionDirs, q), extra], 2));
        var original = new ExpressionControlSolver(model);
        var inRotated = new ExpressionControlSolver(rotated);
        var inLarger = new ExpressionControlSolver(larger);
        foreach (var control in SemanticControls.All.Values.Where(c => c.IsExpression))
        {
            var a = Motion(model, original.Solve(control));
            var b = Motion(rotated, inRotated.Solve(control));
            double maxDiff = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(maxDiff < 1e-6, $"{control.Name}: rotated basis moves vertices differently by {maxDiff * 1000:F4} mm");
            var (c0, _) = Agreement(original, control, original.Solve(control));
            var (c1, _) = Agreement(inLarger, control, inLarger.Solve(control));
            output.WriteLine($"{control.Name,-14} cosine original {c0:F3}  larger basis {c1:F3}");
            Assert.True(c1 >= c0 - 0.02, $"{control.Name}: the larger basis fits worse ({c1:F3} < {c0:F3})");
        }
    }

    [Fact]
    public void Explicit_coefficients_apply_only_to_the_basis_they_were_tracked_in()
    {
        using var model = ProceduralHeadModel.Create();
        var rig = new ControlRig(model, "flame2023");
        var frame = new ClipFrame(null, [0.5f, -0.25f], [0.1f, 0, 0]);
        var resolved = rig.Resolve(frame, "flame2023");
        Assert.Equal(0.5f, resolved.Expression[0]);
        Assert.Equal(0.1f, resolved.Jaw[0]);
        Assert.Equal(-0.25f, rig.Resolve(frame, "flame").Expression[1]); // generic "flame" matches an official FLAME
        var e = Assert.Throws<InvalidDataException>(() => rig.Resolve(frame, "fc4d-procedural-head"));
        Assert.Contains("semantic controls", e.Message);
        Assert.Throws<InvalidDataException>(() => rig.Resolve(new ClipFrame(new Dictionary<string, float> { ["wink"] = 1 }), null));
        var pose = rig.Resolve(new ClipFrame(new Dictionary<string, float> { ["jawOpen"] = 0.5f, ["headTurn"] = -1, ["gazeDown"] = 1 }), null);
        Assert.Equal(0.175f, pose.Jaw[0], 5);
        Assert.Equal(-0.3f, pose.Neck[1], 5);
        Assert.Equal(0.25f, pose.Eyes[3], 5);
    }

    [Fact]
    public void Every_bundled_clip_makes_visible_and_distinct_motion_on_the_built_in_head()
    {
        using var subject = new SyntheticHead();
        var head = subject.Head;
        var camera = subject.CameraAt(0, 256);
        var trajectories = new Dictionary<string, double[]>();
        foreach (var clip in ClipLibrary.Bundled().Clips)
        {
            var frames = head.Rig.Animate(clip, 24, head.Neutral);
            var meshes = head.Meshes(frames);
            var landmarks = SyntheticVideos.ProjectedLandmarks(subject, frames, camera);
            double maxMove = 0, maxChanged = 0;
            var first = TexturedHeadRenderer.Render(meshes[0], subject.Appearance, camera);
            var trajectory = new List<double>();
            for (int t = 0; t < frames.Count; t++)
            {
                for (int v = 0; v < head.BaseVertexCount; v++)
                {
                    var d = System.Numerics.Vector3.Distance(meshes[t].Position(v), meshes[0].Position(v));
                    maxMove = Math.Max(maxMove, d);
                }
                var image = TexturedHeadRenderer.Render(meshes[t], subject.Appearance, camera).Image;
                int changed = 0;
                for (int i = 0; i < image.Data.Length; i += 3)
                    if (Math.Abs(image.Data[i] - first.Image.Data[i]) + Math.Abs(image.Data[i + 1] - first.Image.Data[i + 1]) + Math.Abs(image.Data[i + 2] - first.Image.Data[i + 2]) > 0.1) changed++;
                maxChanged = Math.Max(maxChanged, (double)changed / (image.Width * image.Height));
                trajectory.AddRange(landmarks[t].Select(x => (double)x));
            }
            var start = trajectory.Take(136).ToArray();
            trajectories[clip.Name] = trajectory.Select((x, i) => x - start[i % 136]).ToArray();
            output.WriteLine($"{clip.Name,-11} max vertex motion {maxMove * 1000:F1} mm, max pixels changed {maxChanged * 100:F1} % (256 px frontal)");
            // The built-in head has no eyelids: its blink (lower lids up, brows and eyes down) is the smallest motion.
            Assert.True(maxMove > 0.002, $"{clip.Name}: the head barely moves ({maxMove * 1000:F1} mm)");
            Assert.True(maxChanged > 0.003, $"{clip.Name}: the frames barely change ({maxChanged * 100:F2} % of pixels)");
        }
        var names = trajectories.Keys.ToArray();
        for (int i = 0; i < names.Length; i++)
            for (int j = i + 1; j < names.Length; j++)
            {
                double similarity = Cosine(trajectories[names[i]], trajectories[names[j]]);
                output.WriteLine($"similarity {names[i]} / {names[j]}: {similarity:F2}");
                Assert.True(similarity < 0.9, $"{names[i]} and {names[j]} move the landmarks alike (cosine {similarity:F2})");
            }
    }

    private static (double Cosine, double Gain) Agreement(ExpressionControlSolver solver, SemanticControl control, float[] coefficients)
    {
        var achieved = solver.LandmarkDisplacement(coefficients);
        var a = new List<double>();
        var t = new List<double>();
        foreach (var (ibug, target) in control.LandmarkTargets!)
        {
            int m = solver.ModelLandmark(ibug);
            if (m < 0) continue;
            a.AddRange([achieved[3 * m], achieved[3 * m + 1], achieved[3 * m + 2]]);
            t.AddRange([target.X * 1e-3, target.Y * 1e-3, target.Z * 1e-3]);
        }
        double cosine = Cosine(a.ToArray(), t.ToArray());
        double norm = Math.Sqrt(t.Sum(x => x * x));
        double gain = a.Zip(t, (x, y) => x * y).Sum() / (norm * norm);
        return (cosine, gain);
    }

    private static double Cosine(double[] a, double[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(Math.Max(aa * bb, 1e-30));
    }

    private static double[] Motion(FlameModelData model, float[] coefficients)
    {
        using var scope = torch.NewDisposeScope();
        var c = torch.tensor(coefficients).view(1, 1, -1);
        return (model.ExpressionDirs.narrow(2, 0, coefficients.Length) * c).sum(2).flatten().to(ScalarType.Float64).data<double>().ToArray();
    }

    private static FlameModelData WithExpressionDirs(FlameModelData m, Tensor dirs) => new()
    {
        VTemplate = m.VTemplate.clone(), ShapeDirs = m.ShapeDirs.clone(), ExpressionDirs = dirs.contiguous().clone(), PoseDirs = m.PoseDirs.clone(),
        JRegressor = m.JRegressor.clone(), Weights = m.Weights.clone(), Parents = m.Parents.ToArray(), Faces = m.Faces.clone(),
        LandmarkFaces = m.LandmarkFaces.clone(), LandmarkBarycentrics = m.LandmarkBarycentrics.clone(), Name = "flame2023-like",
    };
}
