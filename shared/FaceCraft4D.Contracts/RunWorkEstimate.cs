namespace FaceCraft4D.Contracts;

/// <summary>
/// The work one stage of a run asks for: work items x iterations per item x pixels per iteration, and the settings
/// those factors come from (what to change to make the stage cheaper).
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="WorkItems">Work items of the stage (its fan-out).</param>
/// <param name="Iterations">Iterations (steps, frames, optimiser iterations) per work item.</param>
/// <param name="Pixels">Pixels processed per iteration.</param>
/// <param name="DrivenBy">Names of the settings (camelCase, as in a request) the factors come from.</param>
public sealed record StageWorkEstimate(PipelineStage Stage, long WorkItems, long Iterations, long Pixels, IReadOnlyList<string> DrivenBy)
{
    /// <summary>Work items x iterations x pixels ("pixel-iterations"), as a double (no overflow at any range).</summary>
    public double Work => (double)WorkItems * Iterations * Pixels;
}

/// <summary>
/// A server-side estimate of the work a run asks for, computed from its resolved settings and the same plan the
/// orchestrator runs (<see cref="PipelinePlan"/>): per stage, work items x iterations x pixels. It is a unit of
/// comparison (a preset's budget against a request's figure), not a time prediction; it is backend-independent,
/// so a request cannot enlarge its budget by naming a cheaper backend and then changing it.
/// </summary>
public sealed class RunWorkEstimate
{
    private RunWorkEstimate(IReadOnlyList<StageWorkEstimate> stages) => Stages = stages;

    /// <summary>The estimate of every pipeline stage, in execution order.</summary>
    public IReadOnlyList<StageWorkEstimate> Stages { get; }

    /// <summary>Total work of the run (pixel-iterations).</summary>
    public double Total => Stages.Sum(s => s.Work);

    /// <summary>The stages that carry most of the work, largest first, until <paramref name="share"/> of the total is covered.</summary>
    public IReadOnlyList<StageWorkEstimate> Dominant(double share = 0.8)
    {
        var total = Total;
        var picked = new List<StageWorkEstimate>();
        var covered = 0.0;
        foreach (var stage in Stages.OrderByDescending(s => s.Work))
        {
            picked.Add(stage);
            covered += stage.Work;
            if (covered >= share * total)
            {
                break;
            }
        }

        return picked;
    }

    /// <summary>Estimates the work of a run with these (validated) settings.</summary>
    public static RunWorkEstimate For(PipelineSettings settings)
    {
        var plan = PipelinePlan.For(settings);
        var s = settings;
        long crop = (long)s.CropSize * s.CropSize;
        long render = (long)s.RenderSize * s.RenderSize;
        // Image prior: the re-noised part of the DDIM schedule is what runs (at least one step, even for the warp backend).
        long priorSteps = Math.Max(1, (long)Math.Ceiling(s.DiffusionSteps * s.DiffusionStrength));
        long animations = plan.WorkItems(PipelineStage.AnimateView).Count;
        long trackedFrames = animations * s.FramesPerClip;
        long trackingIterations = s.TrackingFirstFrameIterations
            + ((long)s.TrackingPerFrameIterations * Math.Max(0, trackedFrames - 1))
            + ((long)s.TrackingGlobalEpochs * trackedFrames);
        long Items(PipelineStage stage) => plan.WorkItems(stage).Count;

        StageWorkEstimate Stage(PipelineStage stage, long iterations, long pixels, params string[] drivenBy) =>
            new(stage, Items(stage), iterations, pixels, drivenBy);

        return new RunWorkEstimate(
        [
            Stage(PipelineStage.Preprocess, 1, crop, "cropSize"),
            Stage(PipelineStage.ShapePrior, s.ViewCount, render, "viewCount", "renderSize"),
            Stage(PipelineStage.EnhanceBackView, priorSteps, render, "diffusionSteps", "diffusionStrength", "renderSize"),
            Stage(PipelineStage.EnhanceView, priorSteps, render, "viewCount", "diffusionSteps", "diffusionStrength", "renderSize"),
            Stage(PipelineStage.AnimateView, s.FramesPerClip, render, "sourceViewCount", "clipCount", "framesPerClip", "renderSize"),
            Stage(PipelineStage.TrackFlame, trackingIterations, render,
                "trackingFirstFrameIterations", "trackingPerFrameIterations", "trackingGlobalEpochs", "sourceViewCount", "clipCount", "framesPerClip", "renderSize"),
            Stage(PipelineStage.TrainStatic, s.StaticIterations, render, "staticIterations", "renderSize"),
            Stage(PipelineStage.TrainCoin, s.CoinIterations, render, "coinIterations", "renderSize"),
            Stage(PipelineStage.Export, 1, render, "renderSize"),
            Stage(PipelineStage.Evaluate, s.ViewCount, render, "viewCount", "renderSize"),
        ]);
    }
}
