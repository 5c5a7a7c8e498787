using System.Diagnostics;
using System.Globalization;
using FaceCraft4D.Contracts;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// The fast measuring loop of issue 12's side views (docs/side-view-diagnosis.md, s24/s25): runs the real Preprocess and
/// ShapePrior handlers (preview preset, in memory) on each portrait and scores the shape prior's OWN orbit views with
/// face-api's TinyFaceDetector at a sub-threshold score threshold (default 0.02; the protocol's criterion stays 0.5, this
/// only reads how far below it a view is), the best detection per view. The views within 90 degrees of the portrait are
/// rendered from the head's level (pitch 0, the protocol's static views); view 0 is the portrait's own camera.
/// Options: --portraits a.jpg,b.jpg (default: the sample and infra/eval/portraits/martin-luther-king.jpg);
/// --yaws 0,30,-30,45,-45,60,-60 (multiples of 360 / --views); --views 24; --size 512 (render px); --threshold 0.02;
/// --margin 0.5 (the protocol's retry margin, <see cref="MarginRetryFaceDetector"/>; 0: none);
/// --variants "off@Key=Value;Key=Value|on@Key=Value" (configuration overrides of the stage handlers per variant, e.g.
/// Fc4d:ShapePrior:Template:Fit:TempleOutlineWeight=1; default one variant "default" with none); --seed N;
/// --out DIR writes each scored view as DIR/PORTRAIT/VARIANT/yaw+60.png and DIR/PORTRAIT-variants.png (one row per variant,
/// the yaws left to right, the middle 3/4 of each view at --thumb 160 px), to look at.
/// </summary>
public sealed class PriorSideFacesBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "prior-sides";

    /// <inheritdoc />
    public string Description => "face-api sub-threshold face scores on the shape prior's own level views (0, +-30, +-45, +-60) per portrait and variant";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var root = FindRepoRoot();
        var portraits = a.Get("portraits", string.Join(',',
                Path.Combine(root, "infra", "samples", "portrait.jpg"),
                Path.Combine(root, "infra", "eval", "portraits", "martin-luther-king.jpg")))
            .Split(',', StringSplitOptions.RemoveEmptyEntries);
        int viewCount = a.GetInt("views", 24);
        int size = a.GetInt("size", 512);
        var yaws = a.GetInts("yaws", 0, 30, -30, 45, -45, 60, -60);
        double threshold = double.Parse(a.Get("threshold", "0.02"), CultureInfo.InvariantCulture);
        double margin = double.Parse(a.Get("margin", "0.5"), CultureInfo.InvariantCulture);
        int seed = a.GetInt("seed", 7);
        var outDir = a.Get("out", "");
        int thumb = a.GetInt("thumb", 160);
        var variants = ParseVariants(a.Get("variants", "default@"));
        double step = 360.0 / viewCount;
        foreach (int yaw in yaws)
            if (Math.Abs(yaw / step - Math.Round(yaw / step)) > 1e-9)
                throw new ArgumentException($"yaw {yaw} is not a multiple of the orbit step {step:G4} (--views {viewCount}).");

        var settings = PipelinePresets.Preview with { RenderSize = size, ViewCount = viewCount, Seed = seed };
        var detectorOptions = new TinyFaceDetectorOptions { ScoreThreshold = threshold };
        using var detector = new MarginRetryFaceDetector(
            await TinyFaceDetector.LoadAsync(FaceModelLocator.Resolve(null), detectorOptions, TorchSharp.torch.CPU, cancellationToken).ConfigureAwait(false), margin);

        output.WriteLine($"prior-sides: {viewCount} views at {size} px, TinyFaceDetector input {detectorOptions.InputSize}, threshold {threshold:G3}, retry margin {margin:G3}; best score per view (- = none)");
        output.WriteLine($"{"portrait",-24} {"variant",-10} " + string.Join(" ", yaws.Select(y => $"{y,6:+0;-0;0}")) + "   fit: landmark rms px, camera m, silhouette IoU, s");
        var blobs = new InMemoryBlobStore();
        var providers = new List<(string Name, ServiceProvider Provider)>();
        try
        {
            foreach (var (name, overrides) in variants)
            {
                var services = new ServiceCollection();
                services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
                services.AddSingleton<IBlobStore>(blobs);
                services.AddVisionStageHandlers(new ConfigurationBuilder().AddInMemoryCollection(overrides).Build());
                providers.Add((name, services.BuildServiceProvider()));
            }
            foreach (var portraitPath in portraits)
            {
                var photo = await File.ReadAllBytesAsync(portraitPath, cancellationToken).ConfigureAwait(false);
                var runId = RunIdentity.For(ContentHash.Of(photo), settings);
                var inputs = new Dictionary<string, BlobRef>(StringComparer.Ordinal)
                {
                    [StageFiles.PortraitInput] = await blobs.WriteAsync(StorageLayout.RunInput(runId, "portrait.jpg"), new BinaryData(photo), "image/jpeg", cancellationToken).ConfigureAwait(false),
                };
                var none = new Dictionary<string, string>();
                // The preprocessing is the same for every variant (they change the shape prior only): run it once.
                var first = Handlers(providers[0].Provider);
                var pre = await first[PipelineStage.Preprocess].ExecuteAsync(new StageJobContext(
                    new StageRequest(runId, PipelineStage.Preprocess, PipelinePlan.SingleKey, new Dictionary<string, BlobRef>(inputs), settings, none),
                    blobs, new Progress<JobProgress>(), "bench", cancellationToken)).ConfigureAwait(false);
                foreach (var (file, blob) in pre.Outputs) inputs[$"{PipelineStage.Preprocess.Slug()}/{file}"] = blob;
                var portraitName = Path.GetFileNameWithoutExtension(portraitPath);
                var rows = new List<Image<Rgb24>>();

                foreach (var (variant, provider) in providers)
                {
                    var clock = Stopwatch.StartNew();
                    var shape = await Handlers(provider)[PipelineStage.ShapePrior].ExecuteAsync(new StageJobContext(
                        new StageRequest(runId, PipelineStage.ShapePrior, PipelinePlan.SingleKey, new Dictionary<string, BlobRef>(inputs), settings, none),
                        blobs, new Progress<JobProgress>(), "bench", cancellationToken)).ConfigureAwait(false);
                    double seconds = clock.Elapsed.TotalSeconds;
                    var scores = new List<string>();
                    var strip = new List<Image<Rgb24>>();
                    foreach (int yaw in yaws)
                    {
                        int k = ((int)Math.Round(yaw / step) % viewCount + viewCount) % viewCount;
                        var data = await blobs.TryReadAsync(shape.Outputs[StageFiles.ViewImage(k)], cancellationToken).ConfigureAwait(false)
                            ?? throw new InvalidOperationException($"view {k} was not written");
                        var image = Image.Load<Rgb24>(data.ToArray());
                        var faces = await detector.DetectAsync(RgbImageBuffer.FromImage(image), cancellationToken).ConfigureAwait(false);
                        scores.Add(faces.Count == 0 ? $"{"-",6}" : $"{faces.Max(f => f.Score),6:F2}");
                        if (outDir.Length > 0)
                        {
                            var folder = Path.Combine(outDir, portraitName, variant);
                            Directory.CreateDirectory(folder);
                            await image.SaveAsPngAsync(Path.Combine(folder, $"yaw{yaw:+0;-0;0}.png"), cancellationToken).ConfigureAwait(false);
                        }
                        strip.Add(image);
                    }
                    if (outDir.Length > 0) rows.Add(Strip(strip, thumb));
                    foreach (var image in strip) image.Dispose();
                    var m = shape.Metrics ?? new Dictionary<string, double>();
                    output.WriteLine($"{portraitName,-24} {variant,-10} {string.Join(" ", scores)}   {m.GetValueOrDefault("landmark_rms_px"):F2}, {m.GetValueOrDefault("camera_distance_m"):F3}, {m.GetValueOrDefault("silhouette_iou"):F3}, {seconds:F1}"
                        + string.Concat(m.Where(kv => PrintedMetricPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal))).Select(kv => $", {kv.Key} {kv.Value:G3}")));
                }
                if (outDir.Length > 0)
                {
                    // One row per variant (in the order given), the yaws left to right: small enough for the notes.
                    using var sheet = new Image<Rgb24>(rows[0].Width, rows.Sum(r => r.Height));
                    int top = 0;
                    foreach (var row in rows)
                    {
                        int y = top;
                        sheet.Mutate(c => c.DrawImage(row, new Point(0, y), 1f));
                        top += row.Height;
                        row.Dispose();
                    }
                    await sheet.SaveAsPngAsync(Path.Combine(outDir, $"{portraitName}-variants.png"), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            foreach (var (_, provider) in providers) await provider.DisposeAsync().ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>Shape prior metrics printed after the fit figures (the switches' own measurements).</summary>
    private static readonly string[] PrintedMetricPrefixes = ["temple_", "hair_end", "nape_", "neck_", "clothed_nape", "hanging_hair"];

    private static Dictionary<PipelineStage, IStageHandler> Handlers(IServiceProvider provider) =>
        provider.GetServices<IStageHandler>().ToDictionary(h => h.Stage);

    /// <summary>"name@Key=Value;Key=Value|name2@..." into (name, overrides) pairs.</summary>
    private static List<(string Name, Dictionary<string, string?> Overrides)> ParseVariants(string text)
    {
        var list = new List<(string, Dictionary<string, string?>)>();
        foreach (var part in text.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            int at = part.IndexOf('@');
            var name = at < 0 ? part : part[..at];
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (at >= 0)
                foreach (var pair in part[(at + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries))
                {
                    int eq = pair.IndexOf('=');
                    if (eq <= 0) throw new ArgumentException($"variant '{name}': expected Key=Value, got '{pair}'");
                    overrides[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
                }
            list.Add((name.Trim(), overrides));
        }
        if (list.Count == 0) throw new ArgumentException("no variant given");
        return list;
    }

    /// <summary>The views side by side, each the middle 3/4 of the view scaled to <paramref name="side"/> px.</summary>
    private static Image<Rgb24> Strip(IReadOnlyList<Image<Rgb24>> images, int side)
    {
        var strip = new Image<Rgb24>(side * images.Count, side);
        for (int i = 0; i < images.Count; i++)
        {
            int w = images[i].Width, h = images[i].Height;
            var box = new Rectangle(w / 8, h / 8, w * 3 / 4, h * 3 / 4);
            using var small = images[i].Clone(c => c.Crop(box).Resize(side, side));
            int offset = i * side;
            strip.Mutate(c => c.DrawImage(small, new Point(offset, 0), 1f));
        }
        return strip;
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "infra", "samples", "portrait.jpg"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
