using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Animations;

/// <summary>
/// Starts and reads video animation jobs on finished runs (issue 15): the one implementation behind the HTTP routes of
/// both hosts, the blob trigger / uploads watcher and <c>./fc4d animate</c>. A submission is checked in this order, and
/// nothing is stored until every check passed: the request's fields, the run (exists, finished, has a rig, the clip name is
/// free), the video (the worker's screen: readable, supported, within limits, a face on most frames). Then the video is
/// stored under the run and the job's orchestration starts; the same video with the same name, fps and mode is the same
/// job, so submitting it again attaches to it (or restarts it from its checkpoints when it had failed).
/// </summary>
public sealed class AnimationService(
    DurableTaskClient client,
    IBlobStore blobs,
    IVideoScreen screen,
    RunSubmissionGates gates,
    IOptions<AnimationOptions> options,
    IOptions<PipelineOptions> pipeline,
    IOptions<ApiOptions> apiOptions,
    ILogger<AnimationService> logger)
{
    /// <summary>The rig file every job tracks against.</summary>
    public const string RigArtifact = "avatar_rig.safetensors";

    private static readonly string[] ActiveOrDone =
        [nameof(OrchestrationRuntimeStatus.Pending), nameof(OrchestrationRuntimeStatus.Running),
         nameof(OrchestrationRuntimeStatus.Completed), nameof(OrchestrationRuntimeStatus.Suspended)];

    /// <summary>Video container extensions kept on the stored file (anything else is stored as <c>video.bin</c>; the probe decides).</summary>
    private static readonly HashSet<string> KnownExtensions = new(StringComparer.OrdinalIgnoreCase) { ".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi" };

    /// <summary>
    /// Validates, screens, stores and starts (or attaches to) a job; throws <see cref="InvalidAnimationRequestException"/> on
    /// refusal. With <paramref name="requiredOwner"/> (a blob upload: the uploader) a run of another owner is refused as
    /// <c>run-not-found</c>, like a missing one (the HTTP routes check the caller with <c>IRunAccess</c> before this).
    /// </summary>
    public async Task<AnimationSubmission> SubmitAsync(
        string runId, VideoUploadBuffer video, AnimationRequest request, RunSource source, CancellationToken cancellationToken, string? requiredOwner = null)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var (name, mode, fps) = request.Resolve(video.Sha256, settings);
        var (runInput, rig) = await FinishedRunAsync(runId, requiredOwner, cancellationToken).ConfigureAwait(false);
        await EnsureNameIsFreeAsync(runId, name, cancellationToken).ConfigureAwait(false);

        var animationId = AnimationIdentity.For(runId, video.Sha256, name, fps, mode);
        var instanceId = AnimationIdentity.InstanceId(runId, animationId);
        using (await gates.EnterAsync(instanceId, cancellationToken).ConfigureAwait(false))
        {
            var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
            if (existing is not null && existing.RuntimeStatus is not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
            {
                return new AnimationSubmission(runId, animationId, name, Created: false, existing.RuntimeStatus.ToString(), []);
            }

            var screening = await screen.ScreenAsync(video.Path, video.FileName, cancellationToken).ConfigureAwait(false);
            var stored = VideoAnimationContract.VideoInput(runId, animationId, "video" + Extension(video.FileName));
            stored = await blobs.WriteAsync(stored, await video.ReadAsync(cancellationToken).ConfigureAwait(false), "application/octet-stream", cancellationToken)
                .ConfigureAwait(false);
            var input = new VideoAnimationInput(
                runId, animationId, stored with { Sha256 = video.Sha256 }, rig, name, fps, mode,
                Math.Max(1, settings.ChunkFrames), Math.Max(0, settings.ChunkOverlap), screening.FramesAt(fps), Math.Max(1, settings.MaxParallelChunks),
                runInput.Settings, pipeline.Value.ToRunPolicy(), screening.Warnings, await RunStageOutputsAsync(runId, cancellationToken).ConfigureAwait(false));
            // A job started now may submit worker jobs: an earlier terminate's marker must not refuse them.
            await blobs.DeleteAsync(RunTerminationMarker.Blob(runId), cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                // A failed or terminated job starts again; its finished chunks are reused from their checkpoints.
                logger.LogInformation("Restarting animation {Instance} (was {Status})", instanceId, existing.RuntimeStatus);
                var chunks = new StageJobInstances(client);
                await chunks.TerminateActiveAsync(instanceId, "animation job restarted", cancellationToken, waitForEnd: true).ConfigureAwait(false);
                await client.PurgeInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
                await chunks.PurgeAsync(instanceId, cancellationToken).ConfigureAwait(false); // its chunk jobs restart under the same ids
            }

            try
            {
                await client.ScheduleNewOrchestrationInstanceAsync(
                    DurableNames.VideoAnimationOrchestrator, input,
                    new StartOrchestrationOptions(instanceId) { DedupeStatuses = ActiveOrDone }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsAlreadyExists(e))
            {
                var raced = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
                return new AnimationSubmission(runId, animationId, name, Created: false, raced?.RuntimeStatus.ToString() ?? "Pending", screening.Warnings);
            }

            logger.LogInformation(
                "Started animation {AnimationId} on {RunId}: clip '{Name}', {Frames} frames at {Fps} fps, {Mode}, from {Source}",
                animationId, runId, name, input.TotalFrames, fps, mode, source);
            return new AnimationSubmission(runId, animationId, name, Created: true, nameof(OrchestrationRuntimeStatus.Pending), screening.Warnings);
        }
    }

    /// <summary>The owner of avatar run <paramref name="runId"/> (from its orchestration input), or null when there is no such run.</summary>
    public async Task<string?> FindRunOwnerAsync(string runId, CancellationToken cancellationToken)
    {
        var run = RunIdentity.IsValid(runId)
            ? await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            : null;
        return run is null || run.Name != DurableNames.AvatarRunOrchestrator ? null : run.ReadInputAs<RunInput>()?.Owner ?? RunIdentity.LocalOwner;
    }

    /// <summary>Status, progress and outputs of a job, or null when the run has no such job.</summary>
    public async Task<AnimationStatusView?> GetStatusAsync(string runId, string animationId, string baseUrl, CancellationToken cancellationToken)
    {
        if (!RunIdentity.IsValid(runId) || !AnimationIdentity.IsValid(animationId))
        {
            return null;
        }

        var metadata = await client.GetInstanceAsync(AnimationIdentity.InstanceId(runId, animationId), getInputsAndOutputs: true, cancellationToken)
            .ConfigureAwait(false);
        return metadata is null || metadata.Name != DurableNames.VideoAnimationOrchestrator ? null : View(metadata, runId, animationId, baseUrl, withOutput: true);
    }

    /// <summary>The run's jobs, newest first.</summary>
    public async IAsyncEnumerable<AnimationStatusView> ListAsync(string runId, string baseUrl, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery { InstanceIdPrefix = AnimationIdentity.InstancePrefix(runId), PageSize = 200, FetchInputsAndOutputs = true };
        var found = new List<AnimationStatusView>();
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var animationId = instance.InstanceId[(runId.Length + 1)..];
            if (instance.Name == DurableNames.VideoAnimationOrchestrator && AnimationIdentity.IsValid(animationId))
            {
                found.Add(View(instance, runId, animationId, baseUrl, withOutput: false));
            }
        }

        foreach (var view in found.OrderByDescending(v => v.CreatedTime))
        {
            yield return view;
        }
    }

    /// <summary>The run's input and its rig; refuses runs that are unknown (404) or not finished (409).</summary>
    private async Task<(RunInput Input, BlobRef Rig)> FinishedRunAsync(string runId, string? requiredOwner, CancellationToken cancellationToken)
    {
        var run = RunIdentity.IsValid(runId)
            ? await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)
            : null;
        if (run is null || run.Name != DurableNames.AvatarRunOrchestrator
            || (requiredOwner is not null && (run.ReadInputAs<RunInput>()?.Owner ?? RunIdentity.LocalOwner) != requiredOwner))
        {
            throw new InvalidAnimationRequestException("run-not-found", $"There is no avatar run '{runId}'.", 404);
        }

        if (run.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
        {
            throw new InvalidAnimationRequestException("run-not-finished",
                $"Run {runId} is {run.RuntimeStatus}; a video can drive the avatar once the run has completed.", 409);
        }

        var input = run.ReadInputAs<RunInput>() ?? throw new InvalidAnimationRequestException("run-not-found", $"Run {runId} has no input.", 404);
        var output = run.ReadOutputAs<RunOutput>();
        var rig = output?.Artifacts.GetValueOrDefault(RigArtifact) ?? StorageLayout.AvatarArtifact(runId, RigArtifact);
        if (await blobs.GetInfoAsync(rig, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new InvalidAnimationRequestException("no-rig", $"Run {runId} has no {RigArtifact}; its avatar cannot be animated.", 409);
        }

        return (input, rig);
    }

    /// <summary>
    /// The run's stage outputs the video stages read (the Export stage's view of the run): the shape prior's head model,
    /// offsets and cameras, and the FLAME tracking when present, from their checkpoint records (content hashes included,
    /// so a changed run invalidates the job's checkpoints).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, BlobRef>> RunStageOutputsAsync(string runId, CancellationToken cancellationToken)
    {
        var outcomes = new List<StageOutcome>();
        foreach (var stage in RunStagesRead)
        {
            var record = await blobs.TryReadAsync(StorageLayout.StageCheckpoint(runId, stage, PipelinePlan.SingleKey), cancellationToken).ConfigureAwait(false);
            if (record?.ToObjectFromJson<CheckpointRecord>(ContractJson.Options) is { } checkpoint)
            {
                outcomes.Add(new StageOutcome(stage, PipelinePlan.SingleKey, checkpoint.Outputs, checkpoint.Backend, Reused: true, checkpoint.DurationMs, 0));
            }
        }

        return Pipeline.Orchestration.StageInputs.From(outcomes);
    }

    /// <summary>The run stages whose outputs the video stages read.</summary>
    private static readonly PipelineStage[] RunStagesRead = [PipelineStage.ShapePrior, PipelineStage.TrackFlame];

    /// <summary>Refuses a name that a clip not made from a video already has (bundled or tracked clips are never replaced).</summary>
    private async Task EnsureNameIsFreeAsync(string runId, string name, CancellationToken cancellationToken)
    {
        var index = await blobs.TryReadAsync(StorageLayout.AvatarArtifact(runId, PublishedAnimationFiles.Index), cancellationToken).ConfigureAwait(false);
        if (index is null)
        {
            throw new InvalidAnimationRequestException("no-animation-index",
                $"Run {runId} has no {PublishedAnimationFiles.Index}; its avatar was not exported with animation support.", 409);
        }

        if (JsonNode.Parse(index.ToString())?["clips"] is JsonArray clips
            && clips.OfType<JsonObject>().Any(c => c["name"]?.GetValue<string>() == name
                                                   && c["source"]?.GetValue<string>() != PublishedAnimationFiles.VideoSource))
        {
            throw new InvalidAnimationRequestException("name-taken", $"The avatar already has a clip named '{name}'; choose another name.", 409);
        }
    }

    private AnimationStatusView View(OrchestrationMetadata metadata, string runId, string animationId, string baseUrl, bool withOutput)
    {
        var progress = metadata.SerializedCustomStatus is null ? null : metadata.ReadCustomStatusAs<RunProgress>();
        var output = withOutput && metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<VideoAnimationOutput>() : null;
        var name = output?.Name ?? (metadata.SerializedInput is null ? null : metadata.ReadInputAs<VideoAnimationInput>()?.Name);
        var published = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? name : null;
        return new AnimationStatusView(
            runId, animationId, name, metadata.RuntimeStatus.ToString(), metadata.CreatedAt, metadata.LastUpdatedAt, progress, output,
            OrchestrationFailureText.For(metadata, progress, logger, "Animation"), AnimationUrls.For(baseUrl, runId, animationId, published, apiOptions.Value.ViewerPath));
    }

    private static string Extension(string? fileName)
    {
        var extension = fileName is null ? null : Path.GetExtension(fileName);
        return extension is not null && KnownExtensions.Contains(extension) ? extension.ToLowerInvariant() : ".bin";
    }

    private static bool IsAlreadyExists(Exception e) =>
        e.GetType().Name.Contains("AlreadyExists", StringComparison.Ordinal)
        || e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase);
}
