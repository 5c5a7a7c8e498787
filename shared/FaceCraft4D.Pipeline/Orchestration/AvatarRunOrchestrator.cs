using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// One avatar run as a DAG of the ten stages (docs/architecture.md):
/// Preprocess -> ShapePrior -> EnhanceBackView -> EnhanceView (fan-out per view), then two branches in parallel:
/// AnimateView (fan-out per source view x clip) -> TrackFlame (fan-in), and TrainStatic (long job);
/// both join in TrainCoin (long job) -> Export -> Evaluate; finally the run manifest is written.
/// Deterministic: reads only its input and the orchestration context.
/// </summary>
public static class AvatarRunOrchestrator
{
    /// <summary>The orchestrator body.</summary>
    public static async Task<RunOutput> RunAsync(TaskOrchestrationContext context, RunInput input)
    {
        var plan = PipelinePlan.For(input.Settings);
        var tracker = new RunTracker(input.RunId, plan, context.CurrentUtcDateTime);
        var steps = new RunSteps(context, input, plan, tracker);
        tracker.Say("started");
        steps.Publish();

        var pre = await steps.SingleAsync(PipelineStage.Preprocess, StageInputs.Portrait(input.Portrait));
        var shape = await steps.SingleAsync(PipelineStage.ShapePrior, StageInputs.From([pre]));
        var back = await steps.SingleAsync(PipelineStage.EnhanceBackView, StageInputs.From([pre], [shape]));
        var views = await steps.FanOutAsync(PipelineStage.EnhanceView, _ => StageInputs.From([pre], [shape], [back]));
        var staticViews = StageInputs.From([pre], [shape], [back], views);

        // The order of these two calls is part of the replayed history. Runs since pipeline version 3 submit the long
        // TrainStatic job first, so the worker has it before the animate-view jobs take its slots (its queue also starts
        // training jobs before queued short ones, JobQueue); older histories replay the fan-out first.
        bool version3 = input.Policy.PipelineVersion >= 3;
        Task<(IReadOnlyList<StageOutcome> Videos, StageOutcome Tracking)> videoBranch;
        Task<StageOutcome> staticBranch;
        if (version3)
        {
            staticBranch = steps.JobAsync(PipelineStage.TrainStatic, staticViews);
            videoBranch = AnimateAndTrackAsync(steps, pre, shape, back, views);
        }
        else
        {
            videoBranch = AnimateAndTrackAsync(steps, pre, shape, back, views);
            staticBranch = steps.JobAsync(PipelineStage.TrainStatic, staticViews);
        }
        await Task.WhenAll(videoBranch, staticBranch);
        var (videos, tracking) = await videoBranch;
        var trainedStatic = await staticBranch;

        var coin = await steps.JobAsync(
            PipelineStage.TrainCoin, StageInputs.From([pre], [shape], [back], views, videos, [tracking], [trainedStatic]));
        StageOutcome export, evaluation;
        if (version3)
        {
            // Evaluate renders TrainCoin's avatar exported in memory exactly as Export writes the rig, so both run at once.
            var exporting = steps.SingleAsync(PipelineStage.Export, StageInputs.From([pre], [shape], [tracking], [coin]));
            var evaluating = steps.SingleAsync(PipelineStage.Evaluate, StageInputs.From([pre], [shape], [tracking], [back], views, [coin]));
            await Task.WhenAll(exporting, evaluating);
            (export, evaluation) = (await exporting, await evaluating);
        }
        else
        {
            export = await steps.SingleAsync(PipelineStage.Export, StageInputs.From([pre], [shape], [tracking], [coin]));
            evaluation = await steps.SingleAsync(PipelineStage.Evaluate, StageInputs.From([pre], [shape], [tracking], [back], views, [export]));
        }

        var artifacts = AvatarArtifacts(input.RunId, export, evaluation);
        var output = new RunOutput(input.RunId, artifacts, tracker.Backends(), tracker.StageList(), tracker.Timing(context.CurrentUtcDateTime), tracker.Items());
        await context.CallActivityAsync(
            DurableNames.WriteManifestActivity,
            new RunManifest(input, output, context.CurrentUtcDateTime),
            StageRetry.For(PipelineStage.Evaluate, input.Policy, tracker: null));
        tracker.Say("completed");
        steps.Publish();
        return output;
    }

    /// <summary>Outputs written to the avatar folder, by their name inside it.</summary>
    private static IReadOnlyDictionary<string, BlobRef> AvatarArtifacts(string runId, params StageOutcome[] outcomes)
    {
        var prefix = StorageLayout.AvatarPrefix(runId);
        return outcomes
            .SelectMany(o => o.Outputs.Values)
            .Where(b => b.Container == StorageLayout.AvatarsContainer && b.Name.StartsWith(prefix, StringComparison.Ordinal))
            .DistinctBy(b => b.Name)
            .ToDictionary(b => b.Name[prefix.Length..], b => b);
    }

    private static async Task<(IReadOnlyList<StageOutcome> Videos, StageOutcome Tracking)> AnimateAndTrackAsync(
        RunSteps steps, StageOutcome pre, StageOutcome shape, StageOutcome back, IReadOnlyList<StageOutcome> views)
    {
        var viewByIndex = views.ToDictionary(v => v.Key);
        var videos = await steps.FanOutAsync(PipelineStage.AnimateView, item =>
        {
            // The source view's own enhanced image (the reference comes from preprocess/shape prior, the back view from its stage).
            var source = PipelinePlan.ViewKey(int.Parse(item.Parameters["source"], System.Globalization.CultureInfo.InvariantCulture));
            IEnumerable<StageOutcome> own = viewByIndex.TryGetValue(source, out var view) ? [view] : [];
            return StageInputs.From([pre], [shape], [back], own);
        });
        var tracking = await steps.SingleAsync(PipelineStage.TrackFlame, StageInputs.From([pre], [shape], videos));
        return (videos, tracking);
    }
}
