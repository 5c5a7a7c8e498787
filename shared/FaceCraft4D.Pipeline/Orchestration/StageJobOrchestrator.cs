using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// Runs one long stage (training) as an asynchronous worker job: submit, then poll on durable timers with a
/// growing interval, publishing the job's progress as custom status. The history stays small: every
/// <see cref="RunPolicy.JobPollsPerGeneration"/> polls it continues as new. A job the worker lost is submitted again
/// and resumes from its last blob checkpoint.
/// </summary>
public static class StageJobOrchestrator
{
    /// <summary>The orchestrator body.</summary>
    public static async Task<StageOutcome> RunAsync(TaskOrchestrationContext context, StageJobInput input)
    {
        var request = input.Request;
        var retry = StageRetry.For(request.Stage, input.Policy, tracker: null);
        var polls = input.Polls;
        var resubmits = input.Resubmits;

        if (!input.Submitted)
        {
            var submitted = await context.CallActivityAsync<JobPoll>(DurableNames.SubmitStageJobActivity, request, retry);
            if (submitted.Outcome is { } reused)
            {
                return reused;
            }

            Publish(context, request, submitted, polls, resubmits);
        }
        else if (input.FirstState is { } first && polls == 0)
        {
            // Submitted by the run (RunPolicy.JobsSubmittedByRun): its status shows the job's state before the first poll.
            Publish(context, request, new JobPoll(first, null, null, Resubmitted: false, WorkerCalls: 0), polls, resubmits);
        }

        while (true)
        {
            await context.CreateTimer(input.Policy.PollDelay(polls), CancellationToken.None);
            var poll = await context.CallActivityAsync<JobPoll>(DurableNames.PollStageJobActivity, request, retry);
            polls++;
            if (poll.Resubmitted && ++resubmits > input.Policy.ActivityMaxAttempts)
            {
                throw new StageJobFailedException(
                    $"Job of stage {request.Stage.Slug()} was lost or failed {resubmits} times at the worker; giving up.");
            }

            Publish(context, request, poll, polls, resubmits);
            if (poll.Outcome is { } outcome)
            {
                return outcome;
            }

            if (polls % Math.Max(1, input.Policy.JobPollsPerGeneration) == 0)
            {
                context.ContinueAsNew(input with { Polls = polls, Resubmits = resubmits, Submitted = true });
                return default!;
            }
        }
    }

    private static void Publish(TaskOrchestrationContext context, StageRequest request, JobPoll poll, int polls, int resubmits) =>
        context.SetCustomStatus(new StageJobStatus(request.Stage.Slug(), poll.State, poll.Progress, polls, resubmits));
}
