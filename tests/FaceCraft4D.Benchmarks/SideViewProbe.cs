using System.Globalization;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Where a finished avatar's face is lost on each side (issue 12, docs/side-view-diagnosis.md, session s25). Renders the
/// avatar as the evaluation protocol does (512 px, orbit about the head's pivot at the reference camera's distance and
/// field of view, pitch 0 in the head frame) at yaws -90..+90 and prints face-api TinyFaceDetector's best score with the
/// threshold lowered to 0.02, for the render and for the render mirrored left-right. The protocol's own criterion (0.5,
/// retried on a 0.5-margin canvas when nothing is found) is unchanged; the scores here only show how far below or above
/// it a view lies. "direct" is the score on the 512 px render, "margin" on the render centred on the protocol's retry
/// canvas; the protocol finds a face when either reaches 0.5 (the margin retry runs only when the direct pass finds none).
/// <para>
/// Inputs: a run's blobs copied out of a local stack's Azurite folder by <c>infra/eval/tools/azurite-run-files.py</c>
/// (<c>DIR/runs/{id}/stages/**</c> and <c>DIR/avatars/{id}/avatar_rig.safetensors</c>).
/// Options: <c>--run DIR</c> (repeatable as a comma list), <c>--yaws -90:90:10</c>, <c>--pitch 0</c>, <c>--size 512</c>,
/// <c>--out FOLDER</c> (writes each run's renders as one strip PNG, <c>--tile 128</c> px tiles); or <c>--images a.png,b.png</c> to score
/// image files (e.g. the shape prior's views, the enhanced training views) direct and mirrored instead of rendering.
/// </para>
/// </summary>
public sealed class SideViewProbe : IBenchmark
{
    internal const double ProbeThreshold = 0.02;

    /// <inheritdoc />
    public string Name => "side-views";

    /// <inheritdoc />
    public string Description => "a finished avatar at the protocol's camera, yaw -90..90: face-api's best score, render and mirror";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var runs = a.Get("run", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var images = a.Get("images", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (runs.Length == 0 && images.Length == 0)
        {
            output.WriteLine("usage: side-views --run DIR[,DIR...] [--yaws -90:90:10] [--pitch 0] [--size 512] [--out FOLDER] | --images a.png[,b.png...]");
            return 2;
        }
        var identity = new IdentitySimilarityOptions();
        using var detector = await TinyFaceDetector.LoadAsync(FaceModelLocator.Resolve(identity.FaceModelsPath),
            new TinyFaceDetectorOptions { ScoreThreshold = ProbeThreshold }, CPU, cancellationToken).ConfigureAwait(false);
        var probe = new FaceScoreProbe(detector, identity.DetectionRetryMargin);

        foreach (var path in images)
        {
            using var image = await Image.LoadAsync<Rgb24>(path, cancellationToken).ConfigureAwait(false);
            var s = await probe.ScoreAsync(image, cancellationToken).ConfigureAwait(false);
            using var mirrored = image.Clone(x => x.Flip(FlipMode.Horizontal));
            var m = await probe.ScoreAsync(mirrored, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"{s} | mirrored {m}  {path}");
        }

        if (runs.Length == 0) return 0;
        var (from, to, step) = ParseYaws(a.Get("yaws", "-90:90:10"));
        double pitch = double.Parse(a.Get("pitch", "0"), CultureInfo.InvariantCulture);
        int size = a.GetInt("size", 512);
        var outDir = a.Get("out", "");
        int tile = a.GetInt("tile", 128);
        foreach (var dir in runs)
        {
            var yaws = new List<double>();
            for (double y = from; y <= to + 1e-9; y += step) yaws.Add(y);
            output.WriteLine($"{dir}: protocol camera, {size} px, pitch {pitch:0.#}; best face-api score (threshold {ProbeThreshold}), direct / margin; m = mirrored render");
            output.WriteLine($"{"yaw",5} {"direct",7} {"margin",7} {"best",6} | {"m.direct",8} {"m.margin",8} {"m.best",6}");
            var tiles = new List<Image<Rgb24>>();
            try
            {
                await foreach (var (yaw, render) in RenderAsync(dir, yaws, pitch, size, cancellationToken).ConfigureAwait(false))
                {
                    var s = await probe.ScoreAsync(render, cancellationToken).ConfigureAwait(false);
                    using var mirrored = render.Clone(x => x.Flip(FlipMode.Horizontal));
                    var m = await probe.ScoreAsync(mirrored, cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"{yaw,5:+0;-0;0} {s.Direct,7:F3} {s.Margin,7:F3} {s.Best,6:F3} | {m.Direct,8:F3} {m.Margin,8:F3} {m.Best,6:F3}{(s.Best >= 0.5 ? "" : "   (protocol: no face)")}");
                    if (outDir.Length > 0) tiles.Add(render.Clone(x => x.Resize(tile, tile)));
                    render.Dispose();
                }
                if (outDir.Length > 0 && tiles.Count > 0)
                {
                    Directory.CreateDirectory(outDir);
                    using var strip = new Image<Rgb24>(tile * tiles.Count, tile, Color.White);
                    for (int i = 0; i < tiles.Count; i++)
                    {
                        int x = tile * i;
                        strip.Mutate(c => c.DrawImage(tiles[i], new Point(x, 0), 1f));
                    }
                    var name = Path.Combine(outDir, $"{new DirectoryInfo(dir).Name}-pitch{pitch:0}.png");
                    await strip.SaveAsPngAsync(name, cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"strip (yaw {from:0}..{to:0} step {step:0}): {name}");
                }
            }
            finally
            {
                foreach (var t in tiles) t.Dispose();
            }
        }
        return 0;
    }

    private static (double From, double To, double Step) ParseYaws(string text)
    {
        var p = text.Split(':').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (p.Length != 3 || p[2] <= 0) throw new ArgumentException("--yaws FROM:TO:STEP with STEP > 0");
        return (p[0], p[1], p[2]);
    }

    /// <summary>The avatar of the run copied to <paramref name="dir"/>, rendered at each yaw as the Evaluate stage renders its static views.</summary>
    internal static async IAsyncEnumerable<(double Yaw, Image<Rgb24> Render)> RenderAsync(
        string dir, IReadOnlyList<double> yaws, double pitch, int size, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var run = await FinishedAvatar.LoadAsync(dir, ct).ConfigureAwait(false);
        var (head, flame, avatar, cameras) = (run.Head, run.Flame, run.Avatar, run.Cameras);
        var orbit = ExportStageHandler.Turntable(cameras[0], head.Fit.Orbit.Pivot, new ExportStageOptions { TurntableSize = size, TurntableFrames = 1 });
        var rasterizer = new GaussianRasterizer();
        var frame = head.StaticFrame;
        foreach (var yaw in yaws)
        {
            Image<Rgb24> image;
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var camera = OrbitCameras.CreateAtYaw(new OrbitCameraOptions
                {
                    Width = size, Height = size, Radius = orbit.Radius, FovYDegrees = orbit.FovYDegrees, ElevationDegrees = pitch,
                    TargetX = orbit.TargetX, TargetY = orbit.TargetY, TargetZ = orbit.TargetZ,
                }, yaw, $"yaw{yaw:0}");
                var gaussians = avatar.Evaluate(frame.ToParameters(flame, avatar.Shape));
                var rgb = rasterizer.Render(gaussians, camera, ones(3)).Image; // [H,W,3] over white
                image = ImageTensors.ToImage(rgb);
            }
            yield return (yaw, image);
        }
    }

    /// <summary>face-api's best score on an image, directly and on the protocol's margin canvas.</summary>
    internal sealed class FaceScoreProbe(TinyFaceDetector detector, double margin)
    {
        public async Task<FaceScore> ScoreAsync(Image<Rgb24> image, CancellationToken ct)
        {
            var buffer = RgbImageBuffer.FromImage(image);
            double direct = Best(await detector.DetectAsync(buffer, ct).ConfigureAwait(false));
            int mx = (int)Math.Round(buffer.Width * margin), my = (int)Math.Round(buffer.Height * margin);
            double padded = Best(await detector.DetectAsync(MarginRetryFaceDetector.Padded(buffer, mx, my), ct).ConfigureAwait(false));
            return new FaceScore(direct, padded);
        }

        private static double Best(IReadOnlyList<FaceDetection> faces) => faces.Count == 0 ? 0 : faces.Max(f => f.Score);
    }

    internal readonly record struct FaceScore(double Direct, double Margin)
    {
        public double Best => Math.Max(Direct, Margin);

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"direct {Direct:F3} margin {Margin:F3} best {Best:F3}");
    }
}
