using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Orchestration;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Evaluation;

/// <summary>
/// An evaluation batch: every image of <c>eval/sets/{name}/</c> becomes an avatar run (same run id as any other
/// run of that image and settings, so finished stages are reused from their checkpoints), at most
/// <see cref="EvaluationBatchInput.MaxParallelRuns"/> at a time; failures are recorded per image, not fatal; then
/// the report is written to <c>eval/reports/{date}/{batchId}/</c>. Deterministic orchestrator code.
/// </summary>
public static class EvaluationBatchOrchestrator
{
    /// <summary>The orchestrator body.</summary>
    public static async Task<EvaluationBatchOutput> RunAsync(TaskOrchestrationContext context, EvaluationBatchInput input)
    {
        var retry = StageRetry.For(PipelineStage.Evaluate, RunPolicy.Default, tracker: null);
        var images = await context.CallActivityAsync<List<BlobRef>>(DurableNames.ListEvaluationSetActivity, input, retry);
        var progress = new EvaluationProgress(input.SetName, images.Count, 0, 0, 0, "preparing");
        context.SetCustomStatus(progress);

        var starts = await Task.WhenAll(images.Select(image =>
            context.CallActivityAsync<EvaluationRunStart>(DurableNames.PrepareEvaluationRunActivity, new PrepareEvaluationRun(input, image), retry)));
        var entries = new List<EvaluationRunEntry>();
        foreach (var rejected in starts.Where(s => s.Run is null))
        {
            entries.Add(new EvaluationRunEntry(ImageName(input, rejected.Image), null, "rejected", rejected.Error, null));
        }

        progress = progress with { Rejected = entries.Count, Phase = "running" };
        context.SetCustomStatus(progress);

        var queue = new Queue<EvaluationRunStart>(starts.Where(s => s.Run is not null).DistinctBy(s => s.Run!.RunId));
        var running = new Dictionary<Task<RunOutput>, EvaluationRunStart>();
        while (queue.Count > 0 || running.Count > 0)
        {
            while (queue.Count > 0 && running.Count < Math.Max(1, input.MaxParallelRuns))
            {
                var start = queue.Dequeue();
                var run = context.CallSubOrchestratorAsync<RunOutput>(
                    DurableNames.AvatarRunOrchestrator, start.Run!,
                    new SubOrchestrationOptions { InstanceId = RunInstanceId(input.BatchId, start.Run!.RunId) });
                running[run] = start;
            }

            var finished = await Task.WhenAny(running.Keys);
            var item = running[finished];
            running.Remove(finished);
            var name = ImageName(input, item.Image);
            try
            {
                var output = await finished;
                entries.Add(new EvaluationRunEntry(name, item.Run!.RunId, "completed", null, output.Backends));
                progress = progress with { Completed = progress.Completed + 1 };
            }
            catch (TaskFailedException e)
            {
                entries.Add(new EvaluationRunEntry(name, item.Run!.RunId, "failed", e.FailureDetails.ErrorMessage, null));
                progress = progress with { Failed = progress.Failed + 1 };
            }

            context.SetCustomStatus(progress);
        }

        var ordered = entries.OrderBy(e => e.ImageName, StringComparer.Ordinal).ToArray();
        var report = await context.CallActivityAsync<List<BlobRef>>(
            DurableNames.WriteEvaluationReportActivity, new EvaluationReportRequest(input, ordered, context.CurrentUtcDateTime), retry);
        context.SetCustomStatus(progress with { Phase = "completed" });
        return new EvaluationBatchOutput(input.BatchId, input.SetName, ordered, report);
    }

    /// <summary>Instance id of a batch's avatar run (a sub-orchestration): <c>{batchId}.{runId}</c>, not the run id itself.</summary>
    public static string RunInstanceId(string batchId, string runId) => $"{batchId}.{runId}";

    private static string ImageName(EvaluationBatchInput input, BlobRef image) =>
        image.Name.StartsWith(EvaluationLayout.SetPrefix(input.SetName), StringComparison.Ordinal)
            ? image.Name[EvaluationLayout.SetPrefix(input.SetName).Length..]
            : image.Name;
}

/// <summary>Input of the prepare activity: one image of a batch.</summary>
public sealed record PrepareEvaluationRun(EvaluationBatchInput Batch, BlobRef Image);
