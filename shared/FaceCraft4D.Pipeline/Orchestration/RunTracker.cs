using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// Per-stage progress of one orchestration, kept in orchestrator memory and published as the custom status
/// (<see cref="RunProgress"/>): an avatar run over <see cref="PipelineStages.All"/>, or a video animation job over
/// <see cref="PipelineStages.VideoAnimation"/>, so the CLI and the API show both the same way.
/// Rebuilt identically on every replay because it changes only in response to durable events; times are the
/// orchestration clock (<c>CurrentUtcDateTime</c>) passed in by the caller and the worker times in the outcomes.
/// </summary>
public sealed class RunTracker
{
    private readonly IReadOnlyList<PipelineStage> order;
    private readonly Dictionary<PipelineStage, MutableStage> stages;
    private readonly string runId;
    private readonly string preset;
    private readonly DateTimeOffset startedAt;
    private readonly List<WorkItemTiming> items = [];

    /// <summary>An avatar run started at <paramref name="startedAt"/>: every pipeline stage pending with its planned work-item count.</summary>
    public RunTracker(string runId, PipelinePlan plan, DateTime startedAt)
        : this(runId, plan.Settings.Preset, PipelineStages.All, plan.Counts(), startedAt)
    {
    }

    /// <summary>
    /// The <paramref name="stages"/> of an orchestration started at <paramref name="startedAt"/>, in the order its status
    /// lists them, each pending with its work-item count from <paramref name="totals"/> (<paramref name="id"/>: the
    /// orchestration's instance id).
    /// </summary>
    public RunTracker(
        string id, string preset, IReadOnlyList<PipelineStage> stages, IReadOnlyDictionary<PipelineStage, int> totals, DateTime startedAt)
    {
        runId = id;
        this.preset = preset;
        this.startedAt = Utc(startedAt);
        order = stages;
        this.stages = stages.ToDictionary(stage => stage, stage => new MutableStage(totals[stage]));
    }

    /// <summary>Short text about what happens now.</summary>
    public string? Message { get; private set; }

    /// <summary>Marks a stage as running (at <paramref name="now"/>, orchestration clock).</summary>
    public void Start(PipelineStage stage, DateTime now)
    {
        var s = stages[stage];
        if (s.State == StageState.Pending)
        {
            s.State = StageState.Running;
            s.StartedAt = Utc(now);
        }

        Message = $"{stage.Slug()} running";
    }

    /// <summary>Counts one attempt of a work item (the first one and every retry).</summary>
    public void CountAttempt(PipelineStage stage) => stages[stage].Attempts++;

    /// <summary>Records a finished work item (seen at <paramref name="now"/>); the stage completes when all its items have.</summary>
    public void Complete(StageOutcome outcome, DateTime now)
    {
        var s = stages[outcome.Stage];
        s.Done++;
        if (outcome.Work is { } work)
        {
            s.Work.Add(work);
            items.Add(new WorkItemTiming(outcome.Stage.Slug(), outcome.Key, work));
        }

        if (outcome.Reused)
        {
            s.Reused++;
        }

        s.Backends.Add(outcome.Backend);
        if (s.Done >= s.Total)
        {
            s.State = StageState.Completed;
            s.Detail = null;
            s.EndedAt = Utc(now);
        }
    }

    /// <summary>Sets a stage's detail line (e.g. a long job's latest progress).</summary>
    public void Detail(PipelineStage stage, string? detail) => stages[stage].Detail = detail;

    /// <summary>Marks a stage as failed with the reason.</summary>
    public void Fail(PipelineStage stage, string reason)
    {
        stages[stage].State = StageState.Failed;
        stages[stage].Detail = reason;
        Message = $"{stage.Slug()} failed: {reason}";
    }

    /// <summary>Sets the run-level message.</summary>
    public void Say(string message) => Message = message;

    /// <summary>The stages that are running now.</summary>
    public string? CurrentStages()
    {
        var running = order.Where(stage => stages[stage].State == StageState.Running).Select(stage => stage.Slug()).ToArray();
        return running.Length == 0 ? null : string.Join(",", running);
    }

    /// <summary>An immutable snapshot for the custom status.</summary>
    public RunProgress Snapshot() => new(runId, preset, StageList(), CurrentStages(), Message);

    /// <summary>Per-stage progress in stage order.</summary>
    public IReadOnlyList<StageProgress> StageList() => order
        .Select(stage =>
        {
            var s = stages[stage];
            return new StageProgress(
                stage.Slug(), s.State, s.Done, s.Total, s.Reused, s.Attempts,
                s.Backends.Count == 0 ? null : string.Join("+", s.Backends.Order(StringComparer.Ordinal)),
                s.Detail,
                s is { State: StageState.Completed, StartedAt: { } from, EndedAt: { } to } ? StageTiming.Of(from, to, s.Work) : null);
        })
        .ToArray();

    /// <summary>
    /// The whole run from its start to <paramref name="now"/> (the last stage's end): wall time, the time when no work item
    /// of it ran at a worker (dispatch, polls, hand-offs between stages), and the peak memory of worker and host.
    /// </summary>
    public StageTiming Timing(DateTime now) => StageTiming.Of(startedAt, Utc(now), stages.Values.SelectMany(s => s.Work));

    /// <summary>Every work item that ran (not reused), in completion order.</summary>
    public IReadOnlyList<WorkItemTiming> Items() => items.ToArray();

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc), TimeSpan.Zero);

    /// <summary>Backend per stage slug (stages that produced outputs).</summary>
    public IReadOnlyDictionary<string, string> Backends() => StageList()
        .Where(s => s.Backend is not null)
        .ToDictionary(s => s.Name, s => s.Backend!);

    private sealed class MutableStage(int total)
    {
        public StageState State { get; set; } = StageState.Pending;
        public int Total { get; } = total;
        public int Done { get; set; }
        public int Reused { get; set; }
        public int Attempts { get; set; }
        public HashSet<string> Backends { get; } = new(StringComparer.Ordinal);
        public string? Detail { get; set; }
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? EndedAt { get; set; }
        public List<StageWork> Work { get; } = [];
    }
}
