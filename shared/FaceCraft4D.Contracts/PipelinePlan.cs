using System.Globalization;

namespace FaceCraft4D.Contracts;

/// <summary>One planned unit of stage work.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Key">Work-item key, unique inside the stage.</param>
/// <param name="Parameters">Work-item parameters handed to the worker.</param>
public sealed record PlannedWorkItem(PipelineStage Stage, string Key, IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// The DAG of one run, derived from its settings: which views are enhanced, which are animated, and the
/// work items of every stage. Pure and deterministic, so the orchestrator may use it.
/// </summary>
public sealed class PipelinePlan
{
    /// <summary>Key of single-item stages.</summary>
    public const string SingleKey = "0";

    private PipelinePlan(PipelineSettings settings)
    {
        Settings = settings;
        EnhancedViews = Enumerable.Range(0, settings.ViewCount)
            .Where(v => v != 0 && v != settings.BackViewIndex)
            .ToArray();
        SourceViews = Enumerable.Range(0, settings.ViewCount)
            .OrderBy(v => YawDistanceFromReference(v, settings.ViewCount))
            .ThenBy(v => v)
            .Take(settings.SourceViewCount)
            .Order()
            .ToArray();
    }

    /// <summary>The settings the plan was made from.</summary>
    public PipelineSettings Settings { get; }

    /// <summary>Views that EnhanceView produces (all but the reference 0 and the back view): 22 in the paper.</summary>
    public IReadOnlyList<int> EnhancedViews { get; }

    /// <summary>Views the video prior animates: the reference plus the views closest to frontal (12 in the paper).</summary>
    public IReadOnlyList<int> SourceViews { get; }

    /// <summary>Builds the plan; validates the settings first.</summary>
    public static PipelinePlan For(PipelineSettings settings) => new(settings.Validated());

    /// <summary>Key of an EnhanceView work item, e.g. <c>view-05</c>.</summary>
    public static string ViewKey(int view) => $"view-{view:D2}";

    /// <summary>Key of an AnimateView work item, e.g. <c>src-03-clip-02</c>.</summary>
    public static string AnimationKey(int sourceView, int clip) => $"src-{sourceView:D2}-clip-{clip:D2}";

    /// <summary>The work items of a stage.</summary>
    public IReadOnlyList<PlannedWorkItem> WorkItems(PipelineStage stage) => stage switch
    {
        PipelineStage.EnhanceBackView =>
            [new(stage, SingleKey, Params(("view", Settings.BackViewIndex)))],
        PipelineStage.EnhanceView =>
            EnhancedViews.Select(v => new PlannedWorkItem(stage, ViewKey(v), Params(("view", v)))).ToArray(),
        PipelineStage.AnimateView =>
            SourceViews
                .SelectMany(v => Enumerable.Range(0, Settings.ClipCount)
                    .Select(c => new PlannedWorkItem(stage, AnimationKey(v, c), Params(("source", v), ("clip", c)))))
                .ToArray(),
        _ => [new(stage, SingleKey, Params())],
    };

    /// <summary>Number of work items of every stage, in order.</summary>
    public IReadOnlyDictionary<PipelineStage, int> Counts() =>
        PipelineStages.All.ToDictionary(s => s, s => WorkItems(s).Count);

    private static double YawDistanceFromReference(int view, int viewCount)
    {
        var degrees = 360.0 * view / viewCount;
        return Math.Min(degrees, 360.0 - degrees);
    }

    private static IReadOnlyDictionary<string, string> Params(params (string Name, int Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value.ToString(CultureInfo.InvariantCulture));
}
