using System.Diagnostics;
using FaceCraft4D.Contracts;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Benchmarks;

/// <summary>
/// Stages 1-4 on the bundled sample portrait, with the worker's real handlers on an in-memory blob store:
/// wall time of Preprocess, ShapePrior, EnhanceBackView and every EnhanceView item (run one after another, as one
/// worker with one job slot would), per preset. The first preset's Preprocess includes loading the face models.
/// Options: --presets preview,paper --portrait infra/samples/portrait.jpg --threads N --seed N;
/// --until shape-prior stops after the shape prior; --out DIR writes every ShapePrior output (orbit views, contact
/// sheet, atlas) to DIR/PRESET/ to look at.
/// </summary>
public sealed class VisionStagesBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "vision-stages";

    /// <inheritdoc />
    public string Description => "stages 1-4 (preprocess, shape prior, back view, views) wall time per preset on the sample portrait";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var a = new BenchmarkArguments(args);
        var presets = a.Get("presets", "preview,paper").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var portraitPath = a.Get("portrait", Path.Combine(FindRepoRoot(), "infra", "samples", "portrait.jpg"));
        int threads = a.GetInt("threads", 0);
        bool shapeOnly = a.Get("until", "").Equals("shape-prior", StringComparison.OrdinalIgnoreCase);
        var outDir = a.Get("out", "");
        int? seed = a.GetInt("seed", -1) is var s && s >= 0 ? s : null;
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        var photo = await File.ReadAllBytesAsync(portraitPath, cancellationToken).ConfigureAwait(false);

        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        var blobs = new InMemoryBlobStore();
        services.AddSingleton<IBlobStore>(blobs);
        services.AddVisionStageHandlers(new ConfigurationBuilder().Build());
        await using var provider = services.BuildServiceProvider();
        var handlers = provider.GetServices<IStageHandler>().ToDictionary(h => h.Stage);

        output.WriteLine($"vision-stages benchmark: {portraitPath}, processors={Environment.ProcessorCount}, torch threads={TorchSharp.torch.get_num_threads()}");
        output.WriteLine($"{"preset",-8} {"crop",5} {"render",6} {"views",5} {"preprocess s",13} {"shape-prior s",14} {"back-view s",12} {"views s (each)",20} {"total s",8}");
        foreach (var name in presets)
        {
            var settings = PipelinePresets.Get(name);
            if (seed is { } fixedSeed) settings = settings with { Seed = fixedSeed };
            var runId = RunIdentity.For(ContentHash.Of(photo), settings);
            var inputs = new Dictionary<string, BlobRef>(StringComparer.Ordinal)
            {
                [StageFiles.PortraitInput] = await blobs.WriteAsync(StorageLayout.RunInput(runId, "portrait.jpg"), new BinaryData(photo), "image/jpeg", cancellationToken).ConfigureAwait(false),
            };
            IReadOnlyDictionary<string, double>? shapeMetrics = null;
            async Task<double> Run(PipelineStage stage, string key, IReadOnlyDictionary<string, string> parameters, bool keepOutputs)
            {
                var request = new StageRequest(runId, stage, key, new Dictionary<string, BlobRef>(inputs), settings, parameters);
                var clock = Stopwatch.StartNew();
                var result = await handlers[stage].ExecuteAsync(new StageJobContext(request, blobs, new Progress<JobProgress>(), "bench", cancellationToken)).ConfigureAwait(false);
                double seconds = clock.Elapsed.TotalSeconds;
                if (stage == PipelineStage.ShapePrior)
                {
                    shapeMetrics = result.Metrics;
                    if (outDir.Length > 0) await SaveAsync(blobs, result.Outputs, Path.Combine(outDir, name), cancellationToken).ConfigureAwait(false);
                }
                if (keepOutputs)
                    foreach (var (file, blob) in result.Outputs) inputs[$"{stage.Slug()}/{file}"] = blob;
                return seconds;
            }

            var none = new Dictionary<string, string>();
            double pre = await Run(PipelineStage.Preprocess, PipelinePlan.SingleKey, none, true).ConfigureAwait(false);
            double shape = await Run(PipelineStage.ShapePrior, PipelinePlan.SingleKey, none, true).ConfigureAwait(false);
            if (shapeOnly)
            {
                output.WriteLine($"{name,-8} {settings.CropSize,5} {settings.RenderSize,6} {settings.ViewCount,5} {pre,13:F2} {shape,14:F2}   (stopped after the shape prior) "
                    + string.Join(", ", (shapeMetrics ?? new Dictionary<string, double>()).Where(m => m.Key.EndsWith("_seconds", StringComparison.Ordinal) || m.Key.StartsWith("hair_", StringComparison.Ordinal)).Select(m => $"{m.Key} {m.Value:G4}")));
                continue;
            }
            double back = await Run(PipelineStage.EnhanceBackView, PipelinePlan.SingleKey,
                new Dictionary<string, string> { ["view"] = settings.BackViewIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) }, true).ConfigureAwait(false);
            var items = PipelinePlan.For(settings).WorkItems(PipelineStage.EnhanceView);
            var each = new List<double>();
            foreach (var item in items) each.Add(await Run(PipelineStage.EnhanceView, item.Key, item.Parameters, false).ConfigureAwait(false));
            double views = each.Sum();
            var parts = shapeMetrics is null ? "" : string.Join(", ", new[] { "fit_seconds", "texture_seconds", "render_seconds" }
                .Where(shapeMetrics.ContainsKey).Select(k => $"{k.Replace("_seconds", "")} {shapeMetrics[k]:F2} s"));
            output.WriteLine($"{name,-8} {settings.CropSize,5} {settings.RenderSize,6} {settings.ViewCount,5} {pre,13:F2} {shape,14:F2} {back,12:F2} {$"{views:F2} ({each.Average():F2})",20} {pre + shape + back + views,8:F2}   shape prior: {parts}");
        }
        return 0;
    }

    /// <summary>Writes the stage's image and JSON outputs to <paramref name="folder"/> under their file names.</summary>
    private static async Task SaveAsync(IBlobStore blobs, IReadOnlyDictionary<string, BlobRef> outputs, string folder, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        foreach (var (file, blob) in outputs)
        {
            if (!file.EndsWith(".png", StringComparison.Ordinal) && !file.EndsWith(".json", StringComparison.Ordinal)) continue;
            var data = await blobs.TryReadAsync(blob, ct).ConfigureAwait(false);
            if (data is null) continue;
            await File.WriteAllBytesAsync(Path.Combine(folder, file.Replace('/', '-')), data.ToArray(), ct).ConfigureAwait(false);
        }
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "infra", "samples", "portrait.jpg"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
