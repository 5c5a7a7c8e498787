using System.Diagnostics;
using System.Numerics;
using FaceCraft4D.Animation.Clips;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Animation.Tracking;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Stages 5-6 compute on this machine, with the built-in head (patterned texture, mouth cavity) and the bundled clips:
/// the rig backend's per-frame posing and rendering at each render size, the texture re-bake, and the tracker's time per
/// optimisation step and per tracked frame for a preset's view count, tracking resolution and iterations
/// (preview: 3 source views, 64 px, 10 iterations per frame; paper: 12 source views, 512 px frames tracked at 256 px,
/// 50 iterations per frame). Options: --sizes 64,128,256,512 --views 3,12 --steps 6 --threads N.
/// </summary>
public sealed class VideoStagesBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "video-stages";

    /// <inheritdoc />
    public string Description => "stages 5-6: rig frame render time per size, texture re-bake, tracking time per step and per frame (preview/paper)";

    /// <inheritdoc />
    public Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        int threads = a.GetInt("threads", 0);
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        int steps = a.GetInt("steps", 6);
        using var model = ProceduralHeadModel.Create();
        using var head = new AnimatableHead(model, model.Name, new float[model.ShapeCount], FlameFrame.Zero(model.ExpressionCount), null, TorchSharp.torch.CPU);
        var texture = Pattern(1024);
        var appearance = head.Appearance(texture);
        var clip = ClipLibrary.Bundled().Get(2); // talk
        var (min, max) = head.Surface(head.NeutralMesh()).Bounds();
        var centre = (min + max) / 2;
        Camera CameraAt(double yaw, int size) => OrbitCameras.CreateAtYaw(new OrbitCameraOptions
        {
            Radius = 1.0, FovYDegrees = 16, Width = size, Height = size, TargetX = centre.X, TargetY = centre.Y, TargetZ = centre.Z,
        }, yaw);

        output.WriteLine($"video-stages benchmark: processors={Environment.ProcessorCount}, torch threads={TorchSharp.torch.get_num_threads()}, head {model.VertexCount} vertices");
        output.WriteLine($"{"size",5} {"pose ms/frame",14} {"render ms/frame",16}");
        var frames = head.Rig.Animate(clip, 48, head.Neutral);
        foreach (var size in a.GetInts("sizes", 64, 128, 256, 512))
        {
            var clock = Stopwatch.StartNew();
            var meshes = head.Meshes(frames, cancellationToken: cancellationToken);
            double pose = clock.Elapsed.TotalMilliseconds / frames.Count;
            var camera = CameraAt(0, size);
            TexturedHeadRenderer.Render(meshes[0], appearance, camera); // warm-up
            clock.Restart();
            foreach (var mesh in meshes) TexturedHeadRenderer.Render(mesh, appearance, camera);
            output.WriteLine($"{size,5} {pose,14:F2} {clock.Elapsed.TotalMilliseconds / meshes.Count,16:F1}");
        }
        var neutral = head.Surface(head.NeutralMesh());
        var observed = TexturedHeadRenderer.Render(head.NeutralMesh(), appearance, CameraAt(30, 512));
        var bake = Stopwatch.StartNew();
        MultiViewTextureBaker.Bake(neutral, head.Uv, head.SurfaceUvFaces(), texture,
            [new TextureObservation("a", observed.Image, CameraAt(30, 512), 4), new TextureObservation("b", observed.Image, CameraAt(30, 512), 1)]);
        output.WriteLine($"texture re-bake (1024^2 texels, 2 observations at 512 px): {bake.Elapsed.TotalSeconds:F2} s");

        output.WriteLine($"{"preset",-8} {"views",5} {"track px",8} {"ms/step",8} {"iters/frame",11} {"s/frame",8}");
        foreach (var (preset, views, size, iterations) in new[] { ("preview", 3, 64, 10), ("paper", 12, 256, 50) })
        {
            if (!a.GetInts("views", 3, 12).Contains(views)) continue;
            var truth = head.Rig.Animate(clip, 2, head.Neutral);
            var videos = Enumerable.Range(0, views).Select(k =>
            {
                var camera = CameraAt(-75 + 150.0 * k / Math.Max(1, views - 1), size);
                var meshes = head.Meshes(truth);
                var list = meshes.Select(m => { var r = TexturedHeadRenderer.Render(m, appearance, camera); return TrackingFrame.From(r.Image, r.Mask, null); }).ToArray();
                return new TrackingVideo(0, k, camera, appearance, list);
            }).ToArray();
            var result = new FlameTracker(head, new FlameTrackingOptions { MaxResolution = size }).Track(videos, new TrackingSchedule(1, steps, 0, 1), cancellationToken: cancellationToken);
            double perStep = result.Metrics["seconds_per_frame_sequential"] / steps;
            output.WriteLine($"{preset,-8} {views,5} {size,8} {perStep * 1000,8:F0} {iterations,11} {perStep * iterations,8:F2}");
        }
        return Task.FromResult(0);
    }

    private static RgbImage Pattern(int size)
    {
        var image = new RgbImage(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double u = (x + 0.5) / size, v = 1 - (y + 0.5) / size;
                double shade = 0.12 * Math.Sin(2 * Math.PI * 9 * u) * Math.Cos(2 * Math.PI * 7 * v);
                image[x, y] = Vector3.Clamp(new Vector3(0.78f, 0.58f, 0.48f) * (float)(1 + shade), Vector3.Zero, Vector3.One);
            }
        return image;
    }
}
