using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Orchestration;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Animations;

/// <summary>
/// One video animation job on a finished avatar (issue 15): fans <see cref="PipelineStage.TrackVideo"/> out over chunks of
/// frames with at most <see cref="VideoAnimationInput.MaxParallelChunks"/> in flight, fans in with
/// <see cref="PipelineStage.VideoClip"/>, then publishes the clip and its previews into the avatar folder. Every work item
/// runs through the run's stage activity (<see cref="DurableNames.RunStageActivity"/>: checkpoint reuse, idempotent worker
/// job), so a job restarted after a crash re-tracks only the chunks that had not finished. Progress per chunk is the
/// custom status, in the run's <see cref="RunProgress"/> shape. With <see cref="RunPolicy.WorkItemsAsJobs"/> (jobs submitted
/// since it exists) every tracking chunk is a job sub-orchestration (<see cref="DurableNames.WorkItemJobInstanceId"/>)
/// instead of one activity; the same reuse and idempotent-job rules apply. Deterministic: reads only its input and the context.
/// </summary>
public static class VideoAnimationOrchestrator
{
    /// <summary>The orchestrator body.</summary>
    public static async Task<VideoAnimationOutput> RunAsync(TaskOrchestrationContext context, VideoAnimationInput input)
    {
        var chunks = AnimationChunks.Plan(input.TotalFrames, input.ChunkFrames);
        var tracker = new RunTracker(
            input.InstanceId, input.Settings.Preset, PipelineStages.VideoAnimation, AnimationWorkItems.Counts(chunks), context.CurrentUtcDateTime);
        void Publish() => context.SetCustomStatus(tracker.Snapshot());
        tracker.Say(input.Notes is { Count: > 0 } notes ? $"started ({string.Join("; ", notes)})" : "started");
        Publish();

        var tracks = await TrackAsync(context, input, chunks, tracker, Publish);

        tracker.Start(PipelineStage.VideoClip, context.CurrentUtcDateTime);
        tracker.CountAttempt(PipelineStage.VideoClip);
        Publish();
        var clip = await RunItemAsync(context, AnimationWorkItems.Clip(input, tracks), input.Policy, tracker, Publish);
        tracker.Complete(clip, context.CurrentUtcDateTime);
        tracker.Say("publishing");
        Publish();

        IReadOnlyDictionary<string, BlobRef> published;
        try
        {
            published = await context.CallActivityAsync<IReadOnlyDictionary<string, BlobRef>>(
                DurableNames.PublishAnimationActivity,
                new AnimationPublication(input.RunId, input.AnimationId, input.Name, input.Fps, input.TotalFrames, clip.Outputs),
                Retry(PipelineStage.VideoClip, input.Policy, tracker: null));
        }
        catch (TaskFailedException e)
        {
            throw Failed(PipelineStage.VideoClip, e, tracker, Publish);
        }

        tracker.Say("completed");
        Publish();
        return new VideoAnimationOutput(
            input.RunId, input.AnimationId, input.Name, published, tracker.Backends(), tracker.StageList(),
            AnimationWorkItems.Output(clip, VideoAnimationContract.Files.Report));
    }

    /// <summary>Tracks every chunk, at most <c>MaxParallelChunks</c> at once; outcomes in chunk order.</summary>
    private static async Task<IReadOnlyList<StageOutcome>> TrackAsync(
        TaskOrchestrationContext context, VideoAnimationInput input, IReadOnlyList<AnimationChunk> chunks, RunTracker tracker, Action publish)
    {
        tracker.Start(PipelineStage.TrackVideo, context.CurrentUtcDateTime);
        var results = new StageOutcome[chunks.Count];
        var inFlight = new Dictionary<Task<StageOutcome>, int>();
        var next = 0;
        var bound = Math.Max(1, input.MaxParallelChunks);
        void StartNext()
        {
            var chunk = chunks[next++];
            tracker.CountAttempt(PipelineStage.TrackVideo);
            var request = AnimationWorkItems.Chunk(input, chunk);
            var item = input.Policy.WorkItemsAsJobs
                ? RunItemJobAsync(context, request, input.Policy, tracker, publish)
                : RunItemAsync(context, request, input.Policy, tracker, publish);
            inFlight[item] = chunk.Index;
        }

        while (next < chunks.Count && inFlight.Count < bound)
        {
            StartNext();
        }

        publish();
        while (inFlight.Count > 0)
        {
            var finished = await Task.WhenAny(inFlight.Keys);
            var index = inFlight[finished];
            inFlight.Remove(finished);
            results[index] = await finished;
            tracker.Complete(results[index], context.CurrentUtcDateTime);
            if (next < chunks.Count)
            {
                StartNext();
            }

            publish();
        }

        return results;
    }

    /// <summary>One work item through the stage activity; a failure fails the job with the stage and the root cause.</summary>
    private static async Task<StageOutcome> RunItemAsync(
        TaskOrchestrationContext context, StageRequest request, RunPolicy policy, RunTracker tracker, Action publish)
    {
        try
        {
            return await context.CallActivityAsync<StageOutcome>(DurableNames.RunStageActivity, request, Retry(request.Stage, policy, tracker));
        }
        catch (TaskFailedException e)
        {
            throw Failed(request.Stage, e, tracker, publish);
        }
    }

    /// <summary>
    /// One work item as a job sub-orchestration (<see cref="StageJobOrchestrator"/>: submit, then poll on durable timers, so a
    /// long chunk is not bounded by an activity's time limit), instance <c>{jobInstanceId}.{stage}.{key}</c>.
    /// </summary>
    private static async Task<StageOutcome> RunItemJobAsync(
        TaskOrchestrationContext context, StageRequest request, RunPolicy policy, RunTracker tracker, Action publish)
    {
        try
        {
            return await context.CallSubOrchestratorAsync<StageOutcome>(
                DurableNames.StageJobOrchestrator,
                new StageJobInput(request, policy),
                new SubOrchestrationOptions { InstanceId = DurableNames.WorkItemJobInstanceId(context.InstanceId, request.Stage, request.Key) });
        }
        catch (TaskFailedException e)
        {
            throw Failed(request.Stage, e, tracker, publish);
        }
    }

    /// <summary>The run's retry rules (<see cref="StageRetry"/>), counting retries in this job's tracker; a taken clip name is final.</summary>
    private static TaskOptions Retry(PipelineStage stage, RunPolicy policy, RunTracker? tracker) =>
        StageRetry.For(stage, policy, tracker, IsNameTaken);

    private static bool IsNameTaken(TaskFailureDetails? failure)
    {
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            if (f.ErrorType == typeof(ClipNameTakenException).FullName)
            {
                return true;
            }
        }

        return false;
    }

    private static PipelineStageFailedException Failed(PipelineStage stage, TaskFailedException e, RunTracker tracker, Action publish)
    {
        var failure = e.FailureDetails;
        while (failure?.InnerFailure is not null)
        {
            failure = failure.InnerFailure;
        }

        var reason = failure?.ErrorMessage ?? e.Message;
        tracker.Fail(stage, reason);
        publish();
        return new PipelineStageFailedException(stage, reason);
    }
}
