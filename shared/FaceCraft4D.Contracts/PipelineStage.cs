namespace FaceCraft4D.Contracts;

/// <summary>The ten stages of the FaceCraft4D pipeline (docs/architecture.md), in execution order.</summary>
public enum PipelineStage
{
    Preprocess,
    ShapePrior,
    EnhanceBackView,
    EnhanceView,
    AnimateView,
    TrackFlame,
    TrainStatic,
    TrainCoin,
    Export,
    Evaluate,
}

/// <summary>Names and facts about stages that both hosts and the worker share.</summary>
public static class PipelineStages
{
    /// <summary>All stages in execution order.</summary>
    public static IReadOnlyList<PipelineStage> All { get; } = Enum.GetValues<PipelineStage>();

    /// <summary>The route/blob segment of a stage, e.g. <c>enhance-view</c>.</summary>
    public static string Slug(this PipelineStage stage) => stage switch
    {
        PipelineStage.Preprocess => "preprocess",
        PipelineStage.ShapePrior => "shape-prior",
        PipelineStage.EnhanceBackView => "enhance-back-view",
        PipelineStage.EnhanceView => "enhance-view",
        PipelineStage.AnimateView => "animate-view",
        PipelineStage.TrackFlame => "track-flame",
        PipelineStage.TrainStatic => "train-static",
        PipelineStage.TrainCoin => "train-coin",
        PipelineStage.Export => "export",
        PipelineStage.Evaluate => "evaluate",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>Parses a slug produced by <see cref="Slug"/>; case-insensitive.</summary>
    public static bool TryParseSlug(string? slug, out PipelineStage stage)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Slug(), slug, StringComparison.OrdinalIgnoreCase))
            {
                stage = candidate;
                return true;
            }
        }

        stage = default;
        return false;
    }

    /// <summary>Long stages run as asynchronous worker jobs that the orchestrator polls with durable timers.</summary>
    public static bool IsLongRunning(this PipelineStage stage) =>
        stage is PipelineStage.TrainStatic or PipelineStage.TrainCoin;
}
