using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.ShapePrior;
using TorchSharp;

namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>A procedural head with known identity, expression, jaw and camera, and its projected 68 landmarks.</summary>
internal sealed record SyntheticHead(float[] Shape, float[] Expression, float Jaw, HeadPose Pose, Camera Camera, float[] TrueLandmarks, float[] NoisyLandmarks)
{
    /// <summary>The built-in procedural head (shared, read-only).</summary>
    public static FlameModelData Model { get; } = ProceduralHeadModel.Create();

    public static SyntheticHead Create(int seed, int imageSize, double yawDeg, double pitchDeg, double rollDeg, double noisePixels)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var shape = Enumerable.Range(0, Model.ShapeCount).Select(_ => (float)(0.8 * Gauss())).ToArray();
        var expression = Enumerable.Range(0, Model.ExpressionCount).Select(_ => (float)(0.3 * Gauss())).ToArray();
        float jaw = 0.08f;
        var intrinsics = CameraIntrinsics.FromVerticalFov(imageSize, imageSize, 13.37);
        var m = HeadPose.RotationFromAngles(yawDeg * Math.PI / 180, pitchDeg * Math.PI / 180, rollDeg * Math.PI / 180);
        var pose = new HeadPose(m, new[] { 0.004, -0.03, 1.6 });
        var camera = new Camera(intrinsics, pose.ToExtrinsics(), "synthetic");
        using var model = new FlameModel(Model);
        using var scope = torch.NewDisposeScope();
        var p = model.ZeroParameters().With(
            shape: torch.tensor(shape).unsqueeze(0), expression: torch.tensor(expression).unsqueeze(0),
            jaw: torch.tensor(new[] { jaw, 0f, 0f }).unsqueeze(0));
        var lm = model.Forward(p).Landmarks[0].data<float>().ToArray();
        var truth = new float[136];
        var noisy = new float[136];
        for (int i = 0; i < 68; i++)
        {
            var (u, v, _) = camera.Project(new Vector3d(lm[3 * i], lm[3 * i + 1], lm[3 * i + 2]));
            truth[2 * i] = (float)u;
            truth[2 * i + 1] = (float)v;
            noisy[2 * i] = (float)(u + noisePixels * Gauss());
            noisy[2 * i + 1] = (float)(v + noisePixels * Gauss());
        }
        return new SyntheticHead(shape, expression, jaw, pose, camera, truth, noisy);
    }
}
