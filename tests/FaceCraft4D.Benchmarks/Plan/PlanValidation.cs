using FaceCraft4D.Contracts;

namespace FaceCraft4D.Benchmarks.Plan;

/// <summary>Predicted against measured for one stage of the validated run.</summary>
public sealed record StageCheck(PipelineStage Stage, int Items, double PredictedPerItem, double? MeasuredPerItem);

/// <summary>The outcome of an independent check of the cost model.</summary>
public sealed record PlanCheck(double PredictedWall, double MeasuredWall, IReadOnlyList<StageCheck> Stages)
{
    /// <summary>Relative error of the predicted wall time.</summary>
    public double Error => (PredictedWall - MeasuredWall) / MeasuredWall;
}

/// <summary>
/// Independent check of the cost model: per-item costs measured in one run (<c>costs</c>) are scaled by work units
/// (<see cref="StageWorkUnits"/>) to another run's settings, its planned work items list-scheduled on the worker slots
/// with the cost run's per-item dispatch latency (<see cref="ListScheduler"/>), and the predicted wall time compared with the
/// other run's measured one. Nothing of the validated run goes into the prediction but its settings.
/// </summary>
public static class PlanValidation
{
    /// <summary>Predicts <paramref name="measured"/>'s wall time from <paramref name="costs"/>.</summary>
    public static PlanCheck Check(MeasuredRun costs, MeasuredRun measured, int slots, double dispatchSeconds)
    {
        var plan = PipelinePlan.For(measured.Settings);
        var items = new List<ScheduledItem>();
        var stages = new List<StageCheck>();
        foreach (var stage in PipelineStages.All)
        {
            var planned = plan.WorkItems(stage);
            if (planned.Count == 0 || costs.MedianServiceSeconds(stage) is not { } perItem) continue;
            double seconds = perItem * StageWorkUnits.PerItem(stage, measured.Settings) / StageWorkUnits.PerItem(stage, costs.Settings);
            items.AddRange(planned.Select(p => new ScheduledItem(stage, p.Key, seconds)));
            stages.Add(new StageCheck(stage, planned.Count, seconds, measured.MedianServiceSeconds(stage)));
        }

        double predicted = ListScheduler.Schedule(items, slots, dispatchSeconds).Max(p => p.End);
        return new PlanCheck(predicted, measured.Wall.TotalSeconds, stages);
    }
}
