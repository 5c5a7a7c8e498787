using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>
/// Per-stage progress of one video animation job (track-video chunks, the video-clip fan-in), kept in orchestrator memory
/// and published as its custom status in the run's shape (<see cref="RunProgress"/>), so the CLI and the API show it the
/// same way. Rebuilt identically on every replay because it changes only in response to durable events.
/// </summary>
public sealed class AnimationTracker
{
    private static readonly PipelineStage[] Order = [PipelineStage.TrackVideo, PipelineStage.VideoClip];
    private readonly Dictionary<PipelineStage, StageRow> rows;
    private readonly string instanceId;
    private readonly string preset;

    /// <summary>Both stages pending: <paramref name="chunks"/> tracking items and one fan-in.</summary>
    public AnimationTracker(string instanceId, string preset, int chunks)
    {
        this.instanceId = instanceId;
        this.preset = preset;
        rows = new Dictionary<PipelineStage, StageRow>
        {
            [PipelineStage.TrackVideo] = new(chunks),
            [PipelineStage.VideoClip] = new(1),
        };
    }

    /// <summary>Short text about what happens now.</summary>
    public string? Message { get; private set; }

    /// <summary>Marks a stage as running.</summary>
    public void Start(PipelineStage stage)
    {
        if (rows[stage].State == StageState.Pending)
        {
            rows[stage].State = StageState.Running;
        }

        Message = $"{stage.Slug()} running";
    }

    /// <summary>Counts one attempt of a work item (the first and every retry).</summary>
    public void CountAttempt(PipelineStage stage) => rows[stage].Attempts++;

    /// <summary>Records a finished work item; the stage completes with its last item.</summary>
    public void Complete(StageOutcome outcome)
    {
        var row = rows[outcome.Stage];
        row.Done++;
        if (outcome.Reused)
        {
            row.Reused++;
        }

        row.Backends.Add(outcome.Backend);
        if (row.Done >= row.Total)
        {
            row.State = StageState.Completed;
        }
    }

    /// <summary>Marks a stage as failed with the reason.</summary>
    public void Fail(PipelineStage stage, string reason)
    {
        rows[stage].State = StageState.Failed;
        rows[stage].Detail = reason;
        Message = $"{stage.Slug()} failed: {reason}";
    }

    /// <summary>Sets a stage's detail line.</summary>
    public void Detail(PipelineStage stage, string? detail) => rows[stage].Detail = detail;

    /// <summary>Sets the job-level message.</summary>
    public void Say(string message) => Message = message;

    /// <summary>An immutable snapshot for the custom status.</summary>
    public RunProgress Snapshot()
    {
        var running = Order.Where(s => rows[s].State == StageState.Running).Select(s => s.Slug()).ToArray();
        return new RunProgress(instanceId, preset, StageList(), running.Length == 0 ? null : string.Join(",", running), Message);
    }

    /// <summary>Per-stage progress in execution order.</summary>
    public IReadOnlyList<StageProgress> StageList() => Order
        .Select(stage =>
        {
            var r = rows[stage];
            return new StageProgress(
                stage.Slug(), r.State, r.Done, r.Total, r.Reused, r.Attempts,
                r.Backends.Count == 0 ? null : string.Join("+", r.Backends.Order(StringComparer.Ordinal)), r.Detail);
        })
        .ToArray();

    /// <summary>Backend per stage slug (stages that produced outputs).</summary>
    public IReadOnlyDictionary<string, string> Backends() => StageList()
        .Where(s => s.Backend is not null)
        .ToDictionary(s => s.Name, s => s.Backend!);

    private sealed class StageRow(int total)
    {
        public StageState State { get; set; } = StageState.Pending;
        public int Total { get; } = total;
        public int Done { get; set; }
        public int Reused { get; set; }
        public int Attempts { get; set; }
        public HashSet<string> Backends { get; } = new(StringComparer.Ordinal);
        public string? Detail { get; set; }
    }
}
