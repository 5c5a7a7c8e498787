using System.Numerics;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;

namespace FaceCraft4D.Animation.Tests.Performance;

/// <summary>
/// A synthetic talking-face video with known ground truth, rendered from a head that is NOT the avatar's: the procedural
/// FLAME-format model fitted to the sample portrait's 68 landmarks (its own identity coefficients) and textured by
/// projecting the portrait onto it (so face detectors see a face), animated with a known jaw curve, three expression
/// components and head turns (neck), rendered with the textured head renderer. The avatar in the tests has another
/// identity (<see cref="AvatarShape"/>, a seeded random one) on the same model.
/// </summary>
public sealed class TalkingFaceVideo : IDisposable
{
    public const int Size = 160;
    public const int FrameCount = 36;
    public const double Fps = 25;

    public TalkingFaceVideo()
    {
        Model = ProceduralHeadModel.Create();
        var folder = FaceModelLocator.Resolve(null);
        Detector = TinyFaceDetector.LoadAsync(folder, new TinyFaceDetectorOptions { ScoreThreshold = 0.3 }, torch.CPU, CancellationToken.None).GetAwaiter().GetResult();
        Landmarks = FaceLandmark68Detector.LoadAsync(folder, tiny: false, torch.CPU, CancellationToken.None).GetAwaiter().GetResult();

        using var portrait = Image.Load<Rgb24>(Path.Combine(RepositoryRoot.Locate(), "infra", "samples", "portrait.jpg"));
        portrait.Mutate(x => x.Resize(0, 384));
        var buffer = RgbImageBuffer.FromImage(portrait);
        var face = Detector.DetectAsync(buffer, CancellationToken.None).GetAwaiter().GetResult().OrderByDescending(f => f.Box.Area).First();
        var points = Landmarks.DetectAsync(buffer, face.Box, CancellationToken.None).GetAwaiter().GetResult().ToArray().Select(v => v + 0.5f).ToArray();
        var intrinsics = CameraIntrinsics.FromVerticalFov(portrait.Width, portrait.Height, 13.37);
        using var landmarkModel = new FlameLandmarkModel(Model);
        var fit = new FlameLandmarkFitter(new LandmarkFitOptions { RigidIterations = 100, FullIterations = 150 }).Fit(landmarkModel, points, intrinsics);
        DriverShape = fit.Shape;
        var neutral = FlameFrame.Zero(Model.ExpressionCount) with { Expression = Pad(fit.Expression, Model.ExpressionCount), Jaw = fit.Jaw };
        Driver = new AnimatableHead(Model, Model.Name, DriverShape, neutral, null, torch.CPU);
        Appearance = Driver.Appearance(ProjectTexture(Driver, RgbImage.FromImage(portrait), fit.ReferenceCamera, 256));
        AvatarShape = new SyntheticHead(seed: 11).Shape;

        var (min, max) = Driver.Surface(Driver.NeutralMesh()).Bounds();
        var centre = new Vector3d((min.X + max.X) / 2, (min.Y + max.Y) / 2, (min.Z + max.Z) / 2);
        Camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions { Radius = 1.0, FovYDegrees = 24, Width = Size, Height = Size, TargetX = centre.X, TargetY = centre.Y, TargetZ = centre.Z }, 0, "driving");
        Truth = Enumerable.Range(0, FrameCount).Select(t => TruthFrame(neutral, t)).ToArray();
        var meshes = Driver.Meshes(Truth);
        Frames = meshes.Select(m => TexturedHeadRenderer.Render(m, Appearance, Camera).Image.ToImage()).ToArray();
    }

    public FlameModelData Model { get; }
    public TinyFaceDetector Detector { get; }
    public FaceLandmark68Detector Landmarks { get; }
    public float[] DriverShape { get; }
    public AnimatableHead Driver { get; }
    public HeadAppearance Appearance { get; }
    public float[] AvatarShape { get; }
    public Camera Camera { get; }
    public IReadOnlyList<FlameFrame> Truth { get; }
    public IReadOnlyList<Image<Rgb24>> Frames { get; }

    /// <summary>Ground truth: the mouth opens and closes with changing period (0 to 0.24 rad), three expression components swing, the head turns.</summary>
    private static FlameFrame TruthFrame(FlameFrame neutral, int t)
    {
        double period = t < 18 ? 9 : 6;
        double jaw = 0.24 * Math.Pow(Math.Sin(Math.PI * t / period), 2) * (t < 2 ? 0 : 1);
        var e = (float[])neutral.Expression.Clone();
        for (int k = 0; k < Math.Min(3, e.Length); k++) e[k] += (float)(0.8 * Math.Sin(2 * Math.PI * t / (14.0 + 5 * k) + k));
        float yaw = (float)(0.18 * Math.Sin(2 * Math.PI * t / FrameCount)), pitch = (float)(0.08 * Math.Sin(2 * Math.PI * t / 13.0));
        return neutral with { Expression = e, Jaw = [(float)jaw, 0, 0], Neck = [pitch, yaw, 0] };
    }

    /// <summary>Inner-lip opening / IOD of every frame measured with face-api's 68-point net (independent of the tracker's fit).</summary>
    public async Task<double[]> InnerLipOpeningsAsync()
    {
        var result = new double[Frames.Count];
        for (int i = 0; i < Frames.Count; i++)
        {
            var buffer = RgbImageBuffer.FromImage(Frames[i]);
            var faces = await Detector.DetectAsync(buffer, CancellationToken.None);
            if (faces.Count == 0) { result[i] = double.NaN; continue; }
            var l = (await Landmarks.DetectAsync(buffer, faces.OrderByDescending(f => f.Box.Area).First().Box, CancellationToken.None)).ToArray();
            result[i] = Animation.Performance.FaceObservation.InnerLip(l) / Animation.Performance.FaceObservation.InterOcular(l);
        }
        return result;
    }

    /// <summary>UV texture of the head: every texel's surface point projected into the portrait (mean colour where it faces away).</summary>
    private static RgbImage ProjectTexture(AnimatableHead head, RgbImage portrait, Camera camera, int size)
    {
        var mesh = head.Surface(head.NeutralMesh());
        var surface = TexelSurface.Build(mesh, mesh.VertexNormals(), head.Uv, head.SurfaceUvFaces(), size, size);
        var texture = new RgbImage(size, size);
        var seen = new bool[size * size];
        Vector3 sum = Vector3.Zero;
        int count = 0;
        var eye = camera.Position;
        for (int t = 0; t < size * size; t++)
        {
            if (!surface.Covered[t]) continue;
            var p = surface.Point(t);
            var n = surface.Normal(t);
            var toCamera = new Vector3((float)(eye.X - p.X), (float)(eye.Y - p.Y), (float)(eye.Z - p.Z));
            if (Vector3.Dot(Vector3.Normalize(toCamera), n) < 0.15f) continue;
            var (u, v, _) = camera.Project(new Vector3d(p.X, p.Y, p.Z));
            if (u < 0 || v < 0 || u >= portrait.Width || v >= portrait.Height) continue;
            var c = portrait.SampleBilinear(u, v);
            texture[t % size, t / size] = c;
            seen[t] = true;
            sum += c;
            count++;
        }
        var mean = count > 0 ? sum / count : new Vector3(0.7f, 0.55f, 0.45f);
        for (int t = 0; t < size * size; t++) if (!seen[t]) texture[t % size, t / size] = mean;
        return texture;
    }

    private static float[] Pad(float[] v, int n)
    {
        var r = new float[n];
        Array.Copy(v, r, Math.Min(n, v.Length));
        return r;
    }

    public void Dispose()
    {
        foreach (var f in Frames) f.Dispose();
        Driver.Dispose();
        Detector.Dispose();
        Landmarks.Dispose();
        Model.Dispose();
    }
}
