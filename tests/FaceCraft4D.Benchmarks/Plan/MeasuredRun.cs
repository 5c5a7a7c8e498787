using System.Text.Json;
using FaceCraft4D.Contracts;

namespace FaceCraft4D.Benchmarks.Plan;

/// <summary>One finished work item of a measured run: submitted to the worker, finished, and the service time derived for it.</summary>
public sealed record MeasuredItem(PipelineStage Stage, string Key, DateTimeOffset Submitted, DateTimeOffset Completed, double ServiceSeconds);

/// <summary>
/// A finished run's stage timings, read from its checkpoint records (<c>runs/{runId}/stages/{stage}/{key}/checkpoint.json</c>
/// under a folder with the storage layout, e.g. a copy of the <c>runs</c> container) and its <c>input/settings.json</c>.
/// A checkpoint's <c>startedAt</c> is when the worker accepted the job, so a queued job's duration includes its wait: the
/// service time of each item is reconstructed by replaying the jobs in submission order through <c>slots</c> FIFO slots
/// (the local worker runs <c>Fc4d:Worker:MaxConcurrentJobs</c> = 2 at once): an item starts when it was submitted or when a
/// slot frees up, whichever is later. Checkpoints of workers that report it carry the exact time in the metric
/// <c>worker_service_seconds</c> (and the process's peak memory in <c>worker_peak_rss_mib</c>); those are used instead.
/// </summary>
public sealed class MeasuredRun
{
    private MeasuredRun(string runId, PipelineSettings settings, IReadOnlyList<MeasuredItem> items, double? workerPeakRssMiB)
    {
        WorkerPeakRssMiB = workerPeakRssMiB;
        RunId = runId;
        Settings = settings;
        Items = items;
    }

    /// <summary>The run's stages with their timing (read from a manifest; empty from checkpoint records).</summary>
    public IReadOnlyList<StageProgress> Stages { get; private init; } = [];

    /// <summary>The whole run's timing (from a manifest; null from checkpoint records).</summary>
    public StageTiming? Timing { get; private init; }

    /// <summary>The run id.</summary>
    public string RunId { get; }

    /// <summary>The run's settings.</summary>
    public PipelineSettings Settings { get; }

    /// <summary>The largest worker peak RSS any checkpoint reported (null when none did).</summary>
    public double? WorkerPeakRssMiB { get; }

    /// <summary>Every work item, in submission order.</summary>
    public IReadOnlyList<MeasuredItem> Items { get; }

    /// <summary>First submission to last completion (the intake before and the manifest after are not in it).</summary>
    public TimeSpan Wall => Items.Max(i => i.Completed) - Items.Min(i => i.Submitted);

    /// <summary>Time inside [first submission, last completion] when no work item was in flight at the worker.</summary>
    public TimeSpan OutsideStageWork
    {
        get
        {
            var spans = Items.OrderBy(i => i.Submitted).Select(i => (i.Submitted, i.Completed)).ToList();
            var gaps = TimeSpan.Zero;
            var reach = spans[0].Submitted;
            foreach (var (start, end) in spans)
            {
                if (start > reach) gaps += start - reach;
                if (end > reach) reach = end;
            }
            return gaps;
        }
    }

    /// <summary>Median service seconds of the stage's items (null when the run has none).</summary>
    public double? MedianServiceSeconds(PipelineStage stage)
    {
        var v = Items.Where(i => i.Stage == stage).Select(i => i.ServiceSeconds).Order().ToList();
        return v.Count == 0 ? null : v[v.Count / 2];
    }

    /// <summary>
    /// Reads a run: a run manifest (<c>manifest.json</c>, or an avatar folder the CLI downloaded, <c>out/{runId}/</c>: its
    /// <c>output.items</c> hold every job's submission, start and end at the worker), or the checkpoint records under
    /// <paramref name="folder"/> (the folder holding <c>runs/</c>, or <c>runs/</c>, or the run's own folder).
    /// </summary>
    public static MeasuredRun Read(string folder, int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        var manifest = File.Exists(folder) ? folder : Path.Combine(folder, "manifest.json");
        if (File.Exists(manifest))
        {
            return ReadManifest(manifest);
        }

        var runFolder = FindRunFolder(folder);
        var runId = Path.GetFileName(runFolder);
        var settingsFile = Path.Combine(runFolder, "input", "settings.json");
        var settings = File.Exists(settingsFile)
            ? JsonSerializer.Deserialize<PipelineSettings>(File.ReadAllText(settingsFile), ContractJson.Options) ?? PipelinePresets.Preview
            : PipelinePresets.Preview;
        var raw = new List<(PipelineStage Stage, string Key, DateTimeOffset Start, DateTimeOffset End, double? Service)>();
        double? peak = null;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(runFolder, "stages"), "checkpoint.json", SearchOption.AllDirectories))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            if (!PipelineStages.TryParseSlug(root.GetProperty("stage").GetString(), out var stage)) continue;
            double? service = null;
            if (root.TryGetProperty("metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Object)
            {
                if (metrics.TryGetProperty("worker_service_seconds", out var s) && s.ValueKind == JsonValueKind.Number) service = s.GetDouble();
                if (metrics.TryGetProperty("worker_peak_rss_mib", out var m) && m.ValueKind == JsonValueKind.Number) peak = Math.Max(peak ?? 0, m.GetDouble());
            }
            raw.Add((stage, root.GetProperty("key").GetString() ?? "", root.GetProperty("startedAt").GetDateTimeOffset(), root.GetProperty("completedAt").GetDateTimeOffset(), service));
        }
        if (raw.Count == 0) throw new InvalidDataException($"No checkpoint records under {runFolder}/stages.");

        // FIFO replay through the worker's slots: completions of the items in service.
        var inService = new PriorityQueue<DateTimeOffset, DateTimeOffset>();
        var items = new List<MeasuredItem>();
        foreach (var r in raw.OrderBy(r => r.Start).ThenBy(r => r.End))
        {
            while (inService.Count > 0 && inService.Peek() <= r.Start) inService.Dequeue();
            var start = r.Start;
            if (inService.Count >= slots)
            {
                var freed = inService.Dequeue();
                if (freed > start) start = freed;
            }
            if (start > r.End) start = r.End;
            inService.Enqueue(r.End, r.End);
            items.Add(new MeasuredItem(r.Stage, r.Key, r.Start, r.End, r.Service ?? (r.End - start).TotalSeconds));
        }
        return new MeasuredRun(runId, settings, items, peak);
    }

    /// <summary>Reads a run manifest's work items (manifests written since the stage table has timing).</summary>
    public static MeasuredRun ReadManifest(string path)
    {
        var manifest = JsonSerializer.Deserialize<FaceCraft4D.Pipeline.Activities.RunManifest>(File.ReadAllText(path), ContractJson.Options)
            ?? throw new InvalidDataException($"{path} is not a run manifest.");
        var items = (manifest.Output.Items ?? [])
            .Where(i => PipelineStages.TryParseSlug(i.Stage, out _))
            .Select(i =>
            {
                PipelineStages.TryParseSlug(i.Stage, out var stage);
                return new MeasuredItem(stage, i.Key, i.Work.SubmittedAt, i.Work.CompletedAt, i.Work.ServiceSeconds);
            })
            .OrderBy(i => i.Submitted)
            .ToList();
        if (items.Count == 0)
            throw new InvalidDataException($"{path} lists no work items (a manifest written before runs recorded their items' timing, or every item was reused).");
        var peak = (manifest.Output.Items ?? []).Max(i => i.Work.WorkerPeakRssMiB);
        return new MeasuredRun(manifest.Input.RunId, manifest.Input.Settings, items, peak)
        {
            Stages = manifest.Output.Stages,
            Timing = manifest.Output.Timing,
        };
    }

    private static string FindRunFolder(string folder)
    {
        if (Directory.Exists(Path.Combine(folder, "stages"))) return folder;
        var runs = Directory.Exists(Path.Combine(folder, "runs")) ? Path.Combine(folder, "runs") : folder;
        var candidates = Directory.Exists(runs) ? Directory.GetDirectories(runs).Where(d => Directory.Exists(Path.Combine(d, "stages"))).ToList() : [];
        if (candidates.Count == 0) throw new DirectoryNotFoundException($"No run (a folder with stages/) under {folder}.");
        // The most recently written run.
        return candidates.OrderByDescending(Directory.GetLastWriteTimeUtc).First();
    }
}
