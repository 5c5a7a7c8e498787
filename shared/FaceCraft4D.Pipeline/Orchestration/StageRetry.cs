using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// Durable retry options of stage activities: exponential backoff on durable timers, no retry for
/// <see cref="PermanentStageException"/>s, and every retry counted in the run's progress.
/// Runs inside orchestrator code, so it uses only the orchestration context.
/// </summary>
public static class StageRetry
{
    /// <summary>
    /// Task options whose retry handler applies the run's policy and counts retries in the tracker;
    /// <paramref name="alsoPermanent"/>: failures the caller's own activities mean as final too.
    /// </summary>
    public static TaskOptions For(
        PipelineStage stage, RunPolicy policy, RunTracker? tracker, Func<TaskFailureDetails?, bool>? alsoPermanent = null) =>
        TaskOptions.FromRetryHandler(async context =>
        {
            if (context.LastAttemptNumber >= policy.ActivityMaxAttempts || IsPermanent(context.LastFailure)
                || alsoPermanent?.Invoke(context.LastFailure) == true)
            {
                return false;
            }

            tracker?.CountAttempt(stage);
            await context.OrchestrationContext.CreateTimer(policy.RetryDelay(context.LastAttemptNumber), context.CancellationToken);
            return true;
        });

    /// <summary>True when the failure (or an inner failure) is a <see cref="PermanentStageException"/> type.</summary>
    public static bool IsPermanent(TaskFailureDetails? failure)
    {
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            if (PermanentTypes.Contains(f.ErrorType))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly HashSet<string> PermanentTypes =
    [
        typeof(PermanentStageException).FullName!,
        typeof(StageNotImplementedException).FullName!,
        typeof(StageInputRejectedException).FullName!,
        typeof(StageJobFailedException).FullName!,
        typeof(ArgumentException).FullName!,
    ];
}
