using System.Globalization;
using FaceCraft4D.Contracts;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Rendering;
using static TorchSharp.torch;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Where a side view's face is lost along the chain of one finished run (issue 12, docs/side-view-diagnosis.md, s28):
/// for each orbit view within --max-yaw of the portrait, face-api TinyFaceDetector's best score (threshold 0.02, direct and on
/// the protocol's margin canvas, <see cref="SideViewProbe"/>) on the shape prior's own view (<c>shape-prior/view-XX.png</c>),
/// the portrait warped into it alone (<c>enhance-view/view-XX/warped.png</c>, black where not warped), the enhanced training
/// view (<c>enhance-view/view-XX/image.png</c>) and the finished avatar rendered at the view's yaw with the protocol's camera
/// (512 px, pitch 0); the training images are scored upscaled to --size (bicubic), as rendered and mirrored. The protocol's
/// +-60 (--yaws) are also rendered from the avatar when no training view lies there: at the default 8 views the orbit's
/// nearest views are +-45 and +-90.
/// <para>
/// Inputs as <see cref="SideViewProbe"/>: a run's blobs copied by <c>infra/eval/tools/azurite-run-files.py</c>. Options:
/// <c>--run DIR[,DIR...]</c>, <c>--max-yaw 90</c>, <c>--yaws 60,-60</c> (extra avatar yaws), <c>--size 512</c>,
/// <c>--out FOLDER</c> (per run a sheet PNG: one row per view, columns prior | warped | enhanced | [recomputed] | avatar, <c>--tile 160</c> px).
/// Diagnostic columns, scored only: "warp/white", the warped portrait over white instead of black (does its face need the black
/// frame?); <c>--shade 1</c> the enhanced view recomputed from the run's files with <see cref="WarpBlendOptions.ShadeUncovered"/>;
/// <c>--strip-gain G</c> the same with the uncovered head pixels of the prior's view scaled by G.
/// View k of an orbit of N views lies at yaw k * 360 / N, taken into (-180, 180] (the protocol's sign: view 1 is +45 at 8 views).
/// </para>
/// </summary>
public sealed class ViewChainBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "view-chain";

    /// <inheritdoc />
    public string Description => "a finished run's side views along the chain: prior view, warped portrait, enhanced training view, avatar (face-api best score)";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var runs = a.Get("run", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (runs.Length == 0)
        {
            output.WriteLine("usage: view-chain --run DIR[,DIR...] [--max-yaw 90] [--yaws 60,-60] [--size 512] [--out FOLDER] [--tile 160]");
            return 2;
        }
        double maxYaw = double.Parse(a.Get("max-yaw", "90"), CultureInfo.InvariantCulture);
        var extraYaws = a.GetInts("yaws", 60, -60);
        int size = a.GetInt("size", 512);
        var outDir = a.Get("out", "");
        int tile = a.GetInt("tile", 160);
        bool shade = a.GetInt("shade", 0) != 0;
        double stripGain = double.Parse(a.Get("strip-gain", "1"), CultureInfo.InvariantCulture);
        var identity = new IdentitySimilarityOptions();
        using var detector = await TinyFaceDetector.LoadAsync(FaceModelLocator.Resolve(identity.FaceModelsPath),
            new TinyFaceDetectorOptions { ScoreThreshold = SideViewProbe.ProbeThreshold }, CPU, cancellationToken).ConfigureAwait(false);
        var probe = new SideViewProbe.FaceScoreProbe(detector, identity.DetectionRetryMargin);

        foreach (var dir in runs)
        {
            var runRoot = Directory.GetDirectories(Path.Combine(dir, "runs")).Single();
            var stages = Path.Combine(runRoot, "stages");
            var priorDir = Path.Combine(stages, PipelineStage.ShapePrior.Slug(), "0");
            int viewCount = Directory.GetFiles(priorDir, "view-*.png").Length;
            var views = Enumerable.Range(1, viewCount - 1)
                .Select(k => (View: k, Yaw: WrapYaw(k * 360.0 / viewCount)))
                .Where(v => Math.Abs(v.Yaw) <= maxYaw + 1e-9 && Math.Abs(Math.Abs(v.Yaw) - 180) > 1e-9)
                .OrderByDescending(v => v.Yaw)
                .ToList();
            var avatarYaws = views.Select(v => v.Yaw).Concat(extraYaws.Select(y => (double)y)).Distinct().ToList();
            var renders = new Dictionary<double, Image<Rgb24>>();
            var rows = new List<Image<Rgb24>[]>();
            try
            {
                await foreach (var (yaw, render) in SideViewProbe.RenderAsync(dir, avatarYaws, 0, size, cancellationToken).ConfigureAwait(false))
                    renders[yaw] = render;

                output.WriteLine($"{dir}: {viewCount} orbit views; face-api best score (threshold {SideViewProbe.ProbeThreshold}, direct or margin canvas) as is / mirrored; training images upscaled to {size} px");
                output.WriteLine($"{"view",4} {"yaw",5} | {"prior",11} | {"warped",11} | {"enhanced",11} | {"warp/white",11} | {(stripGain != 1 ? $"{"strip x" + stripGain.ToString("0.##", CultureInfo.InvariantCulture),11} | " : "")}{(shade ? $"{"shaded",11} | " : "")}{"avatar",11} | warped px");
                foreach (var (view, yaw) in views)
                {
                    var key = PipelinePlan.ViewKey(view);
                    var enhanceDir = Path.Combine(stages, PipelineStage.EnhanceView.Slug(), key);
                    var images = new[]
                    {
                        Path.Combine(priorDir, $"view-{view:D2}.png"),
                        Path.Combine(enhanceDir, "warped.png"),
                        Path.Combine(enhanceDir, "image.png"),
                    };
                    var maskPath = Path.Combine(enhanceDir, "soft-mask.png");
                    var row = new List<Image<Rgb24>>();
                    var cells = new List<string>();
                    foreach (var path in images)
                    {
                        if (!File.Exists(path)) { cells.Add($"{"-",11}"); continue; }
                        var image = await Image.LoadAsync<Rgb24>(path, cancellationToken).ConfigureAwait(false);
                        image.Mutate(x => x.Resize(size, size, KnownResamplers.Bicubic));
                        cells.Add(await ScoreBothAsync(probe, image, cancellationToken).ConfigureAwait(false));
                        row.Add(image);
                    }
                    if (File.Exists(images[1]) && File.Exists(maskPath))
                    {
                        using var overWhite = await OverWhiteAsync(images[1], maskPath, size, cancellationToken).ConfigureAwait(false);
                        cells.Add(await ScoreBothAsync(probe, overWhite, cancellationToken).ConfigureAwait(false));
                    }
                    else cells.Add($"{"-",11}");
                    if (stripGain != 1)
                    {
                        using var darkened = await StripGainAsync(images[0], Path.Combine(priorDir, $"mask-{view:D2}.png"), images[1], maskPath, stripGain, size, cancellationToken).ConfigureAwait(false);
                        cells.Add(await ScoreBothAsync(probe, darkened, cancellationToken).ConfigureAwait(false));
                        row.Add(darkened.Clone());
                    }
                    if (shade)
                    {
                        using var reblended = await ShadeUncoveredAsync(stages, view, images[1], maskPath, size, cancellationToken).ConfigureAwait(false);
                        cells.Add(await ScoreBothAsync(probe, reblended, cancellationToken).ConfigureAwait(false));
                        row.Add(reblended.Clone());
                    }
                    var avatar = renders[yaw];
                    cells.Add(await ScoreBothAsync(probe, avatar, cancellationToken).ConfigureAwait(false));
                    row.Add(avatar.Clone());
                    rows.Add(row.ToArray());
                    string covered = File.Exists(maskPath) ? CoveredPixels(maskPath).ToString(CultureInfo.InvariantCulture) : "-";
                    output.WriteLine($"{view,4} {yaw,5:+0;-0;0} | {string.Join(" | ", cells)} | {covered}");
                }
                foreach (var yaw in extraYaws.Select(y => (double)y).Where(y => views.All(v => Math.Abs(v.Yaw - y) > 1e-9)))
                    output.WriteLine($"{"-",4} {yaw,5:+0;-0;0} | {"(no view)",11} | {"",11} | {"",11} | {"",11} | {(stripGain != 1 ? $"{"",11} | " : "")}{(shade ? $"{"",11} | " : "")} {await ScoreBothAsync(probe, renders[yaw], cancellationToken).ConfigureAwait(false)} |");
                if (outDir.Length > 0 && rows.Count > 0)
                {
                    Directory.CreateDirectory(outDir);
                    var name = Path.Combine(outDir, $"{new DirectoryInfo(dir).Name}-chain.png");
                    await SaveSheetAsync(rows, tile, name, cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"sheet (rows: views {string.Join(", ", views.Select(v => v.Yaw.ToString("+0;-0;0", CultureInfo.InvariantCulture)))}; columns prior | warped | enhanced | avatar; warp/white: the warped portrait over white, scored only): {name}");
                }
            }
            finally
            {
                foreach (var r in renders.Values) r.Dispose();
                foreach (var row in rows) foreach (var i in row) i.Dispose();
            }
        }
        return 0;
    }

    /// <summary>A yaw in degrees taken into (-180, 180].</summary>
    internal static double WrapYaw(double yaw)
    {
        double y = yaw % 360;
        if (y > 180) y -= 360;
        if (y <= -180) y += 360;
        return y;
    }

    private static async Task<string> ScoreBothAsync(SideViewProbe.FaceScoreProbe probe, Image<Rgb24> image, CancellationToken ct)
    {
        var s = await probe.ScoreAsync(image, ct).ConfigureAwait(false);
        using var mirrored = image.Clone(x => x.Flip(FlipMode.Horizontal));
        var m = await probe.ScoreAsync(mirrored, ct).ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"{s.Best,4:F2} / {m.Best,4:F2}");
    }

    /// <summary>The enhanced view recomputed from the run's files with the coarse view's uncovered head pixels (soft mask below 1) scaled by <paramref name="gain"/>.</summary>
    private static async Task<Image<Rgb24>> StripGainAsync(string priorPath, string priorMaskPath, string warpedPath, string softMaskPath, double gain, int size, CancellationToken ct)
    {
        using var prior = await Image.LoadAsync<Rgb24>(priorPath, ct).ConfigureAwait(false);
        using var priorMask = await Image.LoadAsync<L8>(priorMaskPath, ct).ConfigureAwait(false);
        using var warped = await Image.LoadAsync<Rgb24>(warpedPath, ct).ConfigureAwait(false);
        using var softMask = await Image.LoadAsync<L8>(softMaskPath, ct).ConfigureAwait(false);
        var coarse = RgbImage.FromImage(prior);
        var head = FloatImage.FromMask(priorMask);
        var soft = FloatImage.FromMask(softMask);
        var warpedImage = RgbImage.FromImage(warped);
        var result = new RgbImage(coarse.Width, coarse.Height);
        for (int y = 0; y < coarse.Height; y++)
        for (int x = 0; x < coarse.Width; x++)
        {
            float m = soft[x, y];
            var c = head[x, y] >= 0.5f ? (float)gain * coarse[x, y] : coarse[x, y];
            result[x, y] = m * warpedImage[x, y] + (1 - m) * c;
        }
        var image = result.ToImage();
        image.Mutate(x => x.Resize(size, size, KnownResamplers.Bicubic));
        return image;
    }

    /// <summary>The enhanced view recomputed from the run's files with <see cref="WarpBlendOptions.ShadeUncovered"/> on (default floor and ramp).</summary>
    private static async Task<Image<Rgb24>> ShadeUncoveredAsync(string stages, int view, string warpedPath, string softMaskPath, int size, CancellationToken ct)
    {
        var priorDir = Path.Combine(stages, PipelineStage.ShapePrior.Slug(), "0");
        var cameras = CameraSet.FromJson(await File.ReadAllTextAsync(Path.Combine(priorDir, "views.json"), ct).ConfigureAwait(false)).Cameras;
        var camera = cameras[view];
        var depth = DepthMap.FromRawBytes(await File.ReadAllBytesAsync(Path.Combine(priorDir, $"depth-{view:D2}.f32"), ct).ConfigureAwait(false), camera.Width, camera.Height);
        using var prior = await Image.LoadAsync<Rgb24>(Path.Combine(priorDir, $"view-{view:D2}.png"), ct).ConfigureAwait(false);
        using var priorMask = await Image.LoadAsync<L8>(Path.Combine(priorDir, $"mask-{view:D2}.png"), ct).ConfigureAwait(false);
        using var warped = await Image.LoadAsync<Rgb24>(warpedPath, ct).ConfigureAwait(false);
        using var softMask = await Image.LoadAsync<L8>(softMaskPath, ct).ConfigureAwait(false);
        var soft = FloatImage.FromMask(softMask);
        var warpedImage = RgbImage.FromImage(warped);
        var coarse = UncoveredStripShading.Shade(RgbImage.FromImage(prior), FloatImage.FromMask(priorMask), soft, depth, camera, cameras[0],
            new WarpBlendOptions { ShadeUncovered = true }, out _);
        var result = new RgbImage(coarse.Width, coarse.Height);
        for (int y = 0; y < coarse.Height; y++)
        for (int x = 0; x < coarse.Width; x++)
        {
            float m = soft[x, y];
            result[x, y] = m * warpedImage[x, y] + (1 - m) * coarse[x, y];
        }
        var image = result.ToImage();
        image.Mutate(x => x.Resize(size, size, KnownResamplers.Bicubic));
        return image;
    }

    /// <summary>The warped portrait over white instead of black (where the soft mask is 0): whether its face needs the black frame.</summary>
    private static async Task<Image<Rgb24>> OverWhiteAsync(string warpedPath, string maskPath, int size, CancellationToken ct)
    {
        var warped = await Image.LoadAsync<Rgb24>(warpedPath, ct).ConfigureAwait(false);
        using var mask = await Image.LoadAsync<L8>(maskPath, ct).ConfigureAwait(false);
        for (int y = 0; y < warped.Height; y++)
        for (int x = 0; x < warped.Width; x++)
            if (mask[x, y].PackedValue == 0) warped[x, y] = new Rgb24(255, 255, 255);
        warped.Mutate(x => x.Resize(size, size, KnownResamplers.Bicubic));
        return warped;
    }

    private static int CoveredPixels(string maskPath)
    {
        using var mask = Image.Load<L8>(maskPath);
        int n = 0;
        mask.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                    if (p.PackedValue >= 128) n++;
        });
        return n;
    }

    private static async Task SaveSheetAsync(IReadOnlyList<Image<Rgb24>[]> rows, int tile, string path, CancellationToken ct)
    {
        int columns = rows.Max(r => r.Length);
        using var sheet = new Image<Rgb24>(tile * columns, tile * rows.Count, Color.White);
        for (int r = 0; r < rows.Count; r++)
        for (int c = 0; c < rows[r].Length; c++)
        {
            using var t = rows[r][c].Clone(x => x.Resize(tile, tile));
            var at = new Point(c * tile, r * tile);
            sheet.Mutate(x => x.DrawImage(t, at, 1f));
        }
        await sheet.SaveAsPngAsync(path, ct).ConfigureAwait(false);
    }
}
