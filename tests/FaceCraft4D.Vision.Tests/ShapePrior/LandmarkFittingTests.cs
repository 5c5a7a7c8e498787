using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.Template;
using FaceCraft4D.Weights.Scalars;
using Xunit.Abstractions;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>Template fitting on synthetic procedural heads with known identity, expression and camera.</summary>
public sealed class LandmarkFittingTests(ITestOutputHelper output)
{
    [Fact]
    public void Landmark_model_matches_the_full_FLAME_forward_pass()
    {
        using var full = new FlameModel(SyntheticHead.Model, dtype: TorchSharp.torch.ScalarType.Float64);
        using var restricted = new FlameLandmarkModel(SyntheticHead.Model, dtype: TorchSharp.torch.ScalarType.Float64);
        var gen = new TorchSharp.torch.Generator(5);
        var dt = TorchSharp.torch.ScalarType.Float64;
        var shape = TorchSharp.torch.randn(new long[] { 1, 10 }, dt, generator: gen);
        var expr = TorchSharp.torch.randn(new long[] { 1, 10 }, dt, generator: gen).Times(0.5);
        var pose = TorchSharp.torch.randn(new long[] { 1, 15 }, dt, generator: gen).Times(0.2);
        var trans = TorchSharp.torch.randn(new long[] { 1, 3 }, dt, generator: gen).Times(0.1);
        var p = full.ZeroParameters().With(shape: shape, expression: expr, globalRotation: pose.narrow(1, 0, 3), neck: pose.narrow(1, 3, 3),
            jaw: pose.narrow(1, 6, 3), eyes: pose.narrow(1, 9, 6), translation: trans);
        var expected = full.Forward(p).Landmarks[0];
        var actual = restricted.Forward(shape, expr, pose[0], trans[0]);
        double maxDiff = (expected - actual).abs().max().item<double>();
        output.WriteLine($"max |difference| {maxDiff:E2} m over {restricted.LandmarkCount} landmarks ({restricted.VertexCount} vertices evaluated)");
        Assert.True(maxDiff < 1e-10, $"max difference {maxDiff}");
    }

    [Theory]
    [InlineData(1, 0.0, 0.0, 0.0)]
    [InlineData(2, 18.0, -8.0, 4.0)]
    [InlineData(3, -25.0, 10.0, -6.0)]
    public void Fitted_landmarks_and_camera_angles_match_the_known_head(int seed, double yaw, double pitch, double roll)
    {
        const int size = 512;
        const double noise = 1.0;
        var head = SyntheticHead.Create(seed, size, yaw, pitch, roll, noise);
        using var model = new FlameLandmarkModel(SyntheticHead.Model);

        var fit = new FlameLandmarkFitter(new LandmarkFitOptions()).Fit(model, head.NoisyLandmarks, head.Camera.Intrinsics);

        var (fy, fp, fr) = fit.Pose.AnglesDegrees();
        var (ty, tp, tr) = head.Pose.AnglesDegrees();
        double rmsToTruth = Math.Sqrt(Enumerable.Range(0, 68).Average(i =>
            Math.Pow(fit.FittedLandmarks[2 * i] - head.TrueLandmarks[2 * i], 2) + Math.Pow(fit.FittedLandmarks[2 * i + 1] - head.TrueLandmarks[2 * i + 1], 2)));
        output.WriteLine($"seed {seed}: rms to detections {fit.LandmarkRmsPixels:F2} px, to noise-free truth {rmsToTruth:F2} px; " +
                         $"yaw {fy:F2} (true {ty:F2}), pitch {fp:F2} ({tp:F2}), roll {fr:F2} ({tr:F2}); depth {fit.Pose.Translation[2]:F3} m (true {head.Pose.Translation[2]:F3})");

        Assert.True(fit.LandmarkRmsPixels < 1.6, $"reprojection rms {fit.LandmarkRmsPixels:F2} px");
        Assert.True(rmsToTruth < 1.2, $"rms to truth {rmsToTruth:F2} px");
        Assert.InRange(fy - ty, -3, 3);
        Assert.InRange(fp - tp, -3, 3);
        Assert.InRange(fr - tr, -2, 2);
    }
}
