using FaceCraft4D.Contracts;

namespace FaceCraft4D.Benchmarks.Plan;

/// <summary>One work item to schedule: its stage, key and duration in seconds.</summary>
public sealed record ScheduledItem(PipelineStage Stage, string Key, double Seconds);

/// <summary>Where the scheduler put an item.</summary>
public sealed record Placement(ScheduledItem Item, int Worker, double Start, double End);

/// <summary>
/// List scheduling of a run's work items on N identical worker slots with the orchestrator's stage DAG
/// (<see cref="StageDependencies"/>): a stage's items become ready when every item of the stages it waits for has
/// finished; whenever a slot is free the ready item with the longest remaining path to the end (critical path first)
/// starts on it, after <c>dispatchSeconds</c> of orchestration latency per item.
/// </summary>
public static class ListScheduler
{
    /// <summary>Stages each stage waits for (<c>AvatarRunOrchestrator</c>: TrainStatic runs beside AnimateView/TrackFlame).</summary>
    public static IReadOnlyDictionary<PipelineStage, PipelineStage[]> StageDependencies { get; } = new Dictionary<PipelineStage, PipelineStage[]>
    {
        [PipelineStage.Preprocess] = [],
        [PipelineStage.ShapePrior] = [PipelineStage.Preprocess],
        [PipelineStage.EnhanceBackView] = [PipelineStage.ShapePrior],
        [PipelineStage.EnhanceView] = [PipelineStage.EnhanceBackView],
        [PipelineStage.AnimateView] = [PipelineStage.EnhanceView],
        [PipelineStage.TrackFlame] = [PipelineStage.AnimateView],
        [PipelineStage.TrainStatic] = [PipelineStage.EnhanceView],
        [PipelineStage.TrainCoin] = [PipelineStage.TrackFlame, PipelineStage.TrainStatic],
        [PipelineStage.Export] = [PipelineStage.TrainCoin],
        [PipelineStage.Evaluate] = [PipelineStage.TrainCoin], // pipeline version 3: beside Export (TrainCoin's avatar exported in memory)
    };

    /// <summary>Schedules the items; returns the placements (makespan = the largest End).</summary>
    public static IReadOnlyList<Placement> Schedule(IReadOnlyList<ScheduledItem> items, int workers, double dispatchSeconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var byStage = PipelineStages.All.ToDictionary(s => s, s => items.Where(i => i.Stage == s).ToList());
        // Longest remaining path from the start of a stage's item to the end of the run (the item's own time included).
        var tail = new Dictionary<PipelineStage, double>();
        double Tail(PipelineStage s)
        {
            if (tail.TryGetValue(s, out var t)) return t;
            double own = byStage[s].Count == 0 ? 0 : byStage[s].Max(i => i.Seconds) + dispatchSeconds;
            double next = StageDependencies.Where(d => d.Value.Contains(s)).Select(d => Tail(d.Key)).DefaultIfEmpty(0).Max();
            return tail[s] = own + next;
        }

        var stageEnd = new Dictionary<PipelineStage, double>();
        var remaining = byStage.ToDictionary(kv => kv.Key, kv => kv.Value.Count);
        var free = new double[workers];
        var placements = new List<Placement>();
        var pending = items.ToList();
        while (pending.Count > 0)
        {
            // Ready items: every stage they wait for is complete; the ready time is when the last of those ended.
            var ready = pending
                .Where(i => StageDependencies[i.Stage].All(d => remaining[d] == 0))
                .Select(i => (Item: i, At: StageDependencies[i.Stage].Select(d => stageEnd.GetValueOrDefault(d)).DefaultIfEmpty(0).Max()))
                .ToList();
            if (ready.Count == 0) throw new InvalidOperationException("The stage graph has a cycle or a missing stage.");
            int worker = Array.IndexOf(free, free.Min());
            double now = free[worker];
            // Among the items ready by the time this slot frees up, critical path first; else the earliest to become ready.
            var candidates = ready.Where(r => r.At <= now).ToList();
            var pick = candidates.Count > 0
                ? candidates.OrderByDescending(r => Tail(r.Item.Stage)).ThenByDescending(r => r.Item.Seconds).First()
                : ready.OrderBy(r => r.At).ThenByDescending(r => Tail(r.Item.Stage)).First();
            double start = Math.Max(now, pick.At) + dispatchSeconds;
            double end = start + pick.Item.Seconds;
            free[worker] = end;
            placements.Add(new Placement(pick.Item, worker, start, end));
            pending.Remove(pick.Item);
            var stage = pick.Item.Stage;
            remaining[stage]--;
            stageEnd[stage] = Math.Max(stageEnd.GetValueOrDefault(stage), end);
        }
        return placements;
    }
}
