using System.Globalization;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Export;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Training;
using FaceCraft4D.Weights.Scalars;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Which Gaussians make the pale column under the hair dome from behind (issue 12, docs/back-view-diagnosis.md, s30).
/// Renders a finished avatar at the turntable's back frame (the reference camera's distance, height and field of view,
/// yaw + 180, 256 px unless <c>--size</c>), marks the column's pixels (foreground, alpha &gt; 0.5, and skin-coloured by the s28
/// classifier: Rec. 601 luminance &gt; 0.42 and r - b &gt; 0.08), and attributes them Gaussian by Gaussian: each Gaussian's
/// compositing weight summed over the column's pixels is the gradient of the masked image with respect to a constant
/// colour (exact, the rasterizer's own backward). The column's weight is then split by where each Gaussian is bound: in
/// front of or behind the ears, its height band against the landmarks (brows, mouth, chin), and whether its parent
/// triangle faces the back camera or away from it (a Gaussian on a triangle facing away is seen through the head); and by
/// which training views see it (weight summed over the whole view &gt; <c>--seen</c> px). Writes a strip PNG to
/// <c>--out</c>: the render, the column, the column's Gaussians coloured by group, and the render without the Gaussians on
/// triangles facing away; plus each back training view (&gt;= 90 degrees) beside the avatar rendered from its camera.
/// <para>
/// Inputs: a run's blobs copied by <c>infra/eval/tools/azurite-run-files.py</c> (as <see cref="SideViewProbe"/>).
/// Options: <c>--run DIR</c>, <c>--size 256</c>, <c>--yaw 180</c> (relative to the reference camera), <c>--pitch P</c>
/// (elevation in degrees; default the turntable's), <c>--seen 0.05</c>, <c>--out FOLDER</c>.
/// </para>
/// </summary>
public sealed class BackColumnProbe : IBenchmark
{
    /// <inheritdoc />
    public string Name => "back-column";

    /// <inheritdoc />
    public string Description => "a finished avatar from behind: which Gaussians make the skin-coloured column under the hair";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var dir = a.Get("run", "");
        if (dir.Length == 0)
        {
            output.WriteLine("usage: back-column --run DIR [--size 256] [--yaw 180] [--pitch P] [--seen 0.05] [--out FOLDER]");
            return 2;
        }
        int size = a.GetInt("size", 256);
        double yaw = double.Parse(a.Get("yaw", "180"), CultureInfo.InvariantCulture);
        var pitchText = a.Get("pitch", "");
        double seenPixels = double.Parse(a.Get("seen", "0.05"), CultureInfo.InvariantCulture);
        var outDir = a.Get("out", "");

        using var run = await FinishedAvatar.LoadAsync(dir, cancellationToken).ConfigureAwait(false);
        var orbit = ExportStageHandler.Turntable(run.Cameras[0], run.Pivot, new ExportStageOptions { TurntableSize = size, TurntableFrames = 36 });
        if (pitchText.Length > 0) orbit.ElevationDegrees = double.Parse(pitchText, CultureInfo.InvariantCulture);
        var back = OrbitCameras.CreateAtYaw(orbit, orbit.StartYawDegrees + yaw, "back");
        output.WriteLine($"{dir}: yaw {yaw:0} from the reference, elevation {orbit.ElevationDegrees:F1} deg, {size} px, {run.Avatar.Parameters.Count} Gaussians");

        using var scope = NewDisposeScope();
        var frame = run.Frame;
        SplatGaussians g;
        Tensor vertices, landmarks;
        using (no_grad())
        {
            var e = run.Avatar.Evaluate(frame);
            g = new SplatGaussians { Means = e.Means.detach(), Quaternions = e.Quaternions.detach(), Scales = e.Scales.detach(), Opacities = e.Opacities.detach(), ShCoefficients = e.ShCoefficients!.detach(), ShDegree = e.ShDegree };
            vertices = run.Avatar.Vertices(frame); // [V, 3]
            landmarks = run.Flame.Landmarks(vertices.unsqueeze(0)).select(0, 0); // [L, 3]
        }
        var rasterizer = new GaussianRasterizer();
        var white = ones(3);

        // The back render and its column [H, W].
        Tensor image, column;
        using (no_grad())
        {
            var r = rasterizer.Render(g, back, white);
            image = r.Image;
            var lum = image[.., .., 0].Times(0.299f).Plus(image[.., .., 1].Times(0.587f)).Plus(image[.., .., 2].Times(0.114f));
            var skin = lum.IsGreaterThan(0.42).logical_and((image[.., .., 0] - image[.., .., 2]).IsGreaterThan(0.08));
            var fg = r.Alpha.IsGreaterThan(0.5);
            column = skin.logical_and(fg).to_type(ScalarType.Float32);
            output.WriteLine($"column: {column.sum().item<float>():0} px of {fg.sum().item<long>()} foreground px (skin share {column.sum().item<float>() / Math.Max(1, fg.sum().item<long>()):F3})");
        }
        var columnWeight = Attribute(rasterizer, g, back, column); // [N]
        var backColours = g.ColorsFor(back).detach(); // [N, 3]

        // Where each Gaussian is bound: parent triangle centre and outward normal; head axes from the reference camera.
        var binding = run.Avatar.Parameters.Binding!;
        var faces = run.Flame.Faces.to_type(ScalarType.Int64);
        var v0 = vertices.index_select(0, faces[.., 0]);
        var v1 = vertices.index_select(0, faces[.., 1]);
        var v2 = vertices.index_select(0, faces[.., 2]);
        var centre = v0.Plus(v1).Plus(v2).DividedBy(3); // [F, 3]
        var normal = linalg.cross(v1 - v0, v2 - v0); // [F, 3]
        var pivot = tensor(run.Pivot.Select(v => (float)v).ToArray());
        // Outward: most triangles' normals point away from the pivot (flip the winding when not).
        if ((normal * (centre - pivot)).sum(1).IsGreaterThan(0).to_type(ScalarType.Float32).mean().item<float>() < 0.5f) normal = -normal;
        var backPos = back.PositionTensor();
        var facesCamera = (normal * (backPos - centre)).sum(1).IsGreaterThan(0).index_select(0, binding); // [N]
        var refDir = run.Cameras[0].PositionTensor() - pivot;
        refDir[1] = 0;
        var forward = refDir / refDir.norm(); // horizontal, toward the face
        // Static landmarks: iBUG 17-67 (51) or all 68; ears and chin as HeadRegions places them without the contour.
        int first = landmarks.shape[0] == 68 ? 0 : 17;
        Tensor Lm(int ibug) => landmarks[ibug - first];
        float Along(Tensor p) => ((p - pivot) * forward).sum().item<float>();
        float earAlong = (Along(Lm(36)) + Along(Lm(45))) / 2 - 0.045f;
        float browY = Enumerable.Range(17, 10).Average(i => Lm(i)[1].item<float>());
        float mouthY = Enumerable.Range(48, 12).Average(i => Lm(i)[1].item<float>());
        float chinY = Enumerable.Range(48, 12).Min(i => Lm(i)[1].item<float>()) - 0.035f;
        var gc = centre.index_select(0, binding); // [N, 3]
        var along = ((gc - pivot) * forward).sum(1); // [N]
        var inFront = along.IsGreaterThan(earAlong);
        var y = gc[.., 1];
        var band = where(y.IsGreaterThan(browY), tensor(0L), where(y.IsGreaterThan(mouthY), tensor(1L), where(y.IsGreaterThan(chinY), tensor(2L), tensor(3L)))); // [N]
        string[] bands = ["above brows", "brows-mouth", "mouth-chin", "below chin"];

        double total = columnWeight.sum().item<float>();
        output.WriteLine($"landmarks (world y): brows {browY:F3}, mouth {mouthY:F3}, chin {chinY:F3}; ears {earAlong:F3} m in front of the pivot");
        output.WriteLine($"column weight (sum of compositing weights over its pixels): {total:F1}; by bound triangle:");
        output.WriteLine($"{"where",-14} {"height",-12} {"triangle",-13} {"share",6} {"gauss",6} {"rgb seen from behind",22} {"opacity",7} {"scale mm",8}");
        var opac = g.Opacities;
        var scaleMax = g.Scales.amax(1).Times(1000);
        var rows = new List<(string, double)>();
        foreach (var front in new[] { true, false })
        foreach (var b in Enumerable.Range(0, 4))
        foreach (var facing in new[] { true, false })
        {
            var sel = inFront.IsEqualTo(front).logical_and(band.IsEqualTo(b)).logical_and(facesCamera.IsEqualTo(facing));
            var w = columnWeight * sel.to_type(ScalarType.Float32);
            double share = w.sum().item<float>() / Math.Max(1e-9, total);
            if (share < 0.005) continue;
            var ws = w.sum();
            var rgb = (backColours * w.unsqueeze(1)).sum(0L) / ws;
            var count = w.IsGreaterThan(1e-3).sum().item<long>();
            output.WriteLine($"{(front ? "front of ears" : "behind ears"),-14} {bands[b],-12} {(facing ? "faces camera" : "faces away"),-13} {share,6:F3} {count,6} {$"{rgb[0].item<float>():F2} {rgb[1].item<float>():F2} {rgb[2].item<float>():F2}",22} {((opac * w).sum() / ws).item<float>(),7:F2} {((scaleMax * w).sum() / ws).item<float>(),8:F1}");
        }

        // Which training views see the column's Gaussians.
        output.WriteLine($"training views: share of the column's weight carried by Gaussians the view sees (weight over the view > {seenPixels} px)");
        var seenByBack = zeros_like(columnWeight).to_type(ScalarType.Bool);
        var trainStrip = new List<Image<Rgb24>>();
        for (int k = 0; k < run.Cameras.Count; k++)
        {
            var cam = run.Cameras[k];
            var d = cam.Position - new Vector3d(run.Pivot[0], run.Pivot[1], run.Pivot[2]);
            var r0 = run.Cameras[0].Position - new Vector3d(run.Pivot[0], run.Pivot[1], run.Pivot[2]);
            double camYaw = (Math.Atan2(d.X, d.Z) - Math.Atan2(r0.X, r0.Z)) * 180 / Math.PI;
            camYaw = ((camYaw % 360) + 540) % 360 - 180;
            double elev = Math.Asin(d.Y / d.Length) * 180 / Math.PI;
            var seen = Attribute(rasterizer, g, cam, null).IsGreaterThan(seenPixels);
            if (Math.Abs(camYaw) >= 90) seenByBack = seenByBack.logical_or(seen);
            double share = (columnWeight * seen.to_type(ScalarType.Float32)).sum().item<float>() / Math.Max(1e-9, total);
            output.WriteLine($"  view {k} ({cam.Name}) yaw {camYaw,6:F0} elevation {elev,5:F1}: {share:F3}");
            if (outDir.Length > 0 && Math.Abs(camYaw) >= 90)
            {
                var name = StaticViewReader.ImageInput(k, run.Settings);
                if (run.Files.TryGetValue(name, out var bytes))
                {
                    var trainImage = Image.Load<Rgb24>(bytes);
                    trainImage.Mutate(c => c.Resize(size, size));
                    trainStrip.Add(trainImage);
                    using (no_grad()) trainStrip.Add(ImageTensors.ToImage(rasterizer.Render(g, cam.Resized(size, size), white).Image));
                }
            }
        }
        double unseen = (columnWeight * seenByBack.logical_not().to_type(ScalarType.Float32)).sum().item<float>() / Math.Max(1e-9, total);
        output.WriteLine($"  seen by no view at 90 degrees or more from the reference: {unseen:F3} of the column's weight");

        if (outDir.Length > 0)
        {
            Directory.CreateDirectory(outDir);
            var tiles = new List<Image<Rgb24>>();
            using (no_grad())
            {
                tiles.Add(ImageTensors.ToImage(image));
                tiles.Add(ImageTensors.ToImage(image * column.Times(0.7f).Plus(0.3f).unsqueeze(2)));
                // Groups: red = faces away in front of the ears, orange = faces away behind, green = faces camera in front, blue = faces camera behind.
                var groupColour = where(facesCamera.unsqueeze(1),
                    where(inFront.unsqueeze(1), tensor(new[] { 0.1f, 0.8f, 0.1f }), tensor(new[] { 0.1f, 0.2f, 0.9f })),
                    where(inFront.unsqueeze(1), tensor(new[] { 0.95f, 0.05f, 0.05f }), tensor(new[] { 1.0f, 0.6f, 0.0f }))); // [N, 3]
                var grouped = rasterizer.Render(g.WithColors(groupColour), back, white).Image;
                tiles.Add(ImageTensors.ToImage((grouped * column.unsqueeze(2)).Plus(column.SubtractedFrom(1).unsqueeze(2) * (image.Times(0.25f).Plus(0.75f)))));
                var keep = new SplatGaussians { Means = g.Means, Quaternions = g.Quaternions, Scales = g.Scales, Opacities = g.Opacities * facesCamera.to_type(ScalarType.Float32), ShCoefficients = g.ShCoefficients, ShDegree = g.ShDegree };
                tiles.Add(ImageTensors.ToImage(rasterizer.Render(keep, back, white).Image));
            }
            var name = Path.Combine(outDir, $"{new DirectoryInfo(dir).Name}-back-column.png");
            await SaveStripAsync(tiles, name, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"strip (render, column, column by group: red faces away in front of the ears, orange faces away behind, green / blue face the camera in front / behind; render without the faces-away Gaussians): {name}");
            if (trainStrip.Count > 0)
            {
                var tname = Path.Combine(outDir, $"{new DirectoryInfo(dir).Name}-back-training-views.png");
                await SaveStripAsync(trainStrip, tname, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"back training views (each: the training image, then the avatar from its camera): {tname}");
            }
        }
        return 0;
    }

    /// <summary>Each Gaussian's compositing weight summed over the pixels of <paramref name="mask"/> [H, W] (null: every pixel) [N].</summary>
    private static Tensor Attribute(GaussianRasterizer rasterizer, SplatGaussians g, Camera camera, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var colours = ones(g.Count, 3).requires_grad_(true);
        var r = rasterizer.Render(g.WithColors(colours), camera, zeros(3));
        var channel = r.Image[.., .., 0];
        var loss = mask is null ? channel.sum() : (channel * mask).sum();
        loss.backward();
        return colours.grad!.select(1, 0).detach().clone().MoveToOuterDisposeScope();
    }

    private static async Task SaveStripAsync(List<Image<Rgb24>> tiles, string path, CancellationToken ct)
    {
        int w = tiles.Max(t => t.Width), h = tiles.Max(t => t.Height);
        using var strip = new Image<Rgb24>(w * tiles.Count, h, Color.White);
        for (int i = 0; i < tiles.Count; i++)
        {
            int x = w * i;
            var t = tiles[i];
            strip.Mutate(c => c.DrawImage(t, new Point(x, 0), 1f));
        }
        await strip.SaveAsPngAsync(path, ct).ConfigureAwait(false);
        foreach (var t in tiles) t.Dispose();
    }
}
