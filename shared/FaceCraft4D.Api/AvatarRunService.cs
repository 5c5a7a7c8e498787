using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api;

/// <summary>
/// Starts and manages avatar runs on a <see cref="DurableTaskClient"/>: the one implementation behind the HTTP
/// API of both hosts, the blob trigger/watcher and the CLI. Identical image + settings map to the same run id,
/// so a second submission returns the existing run instead of starting another.
/// </summary>
public sealed class AvatarRunService(
    DurableTaskClient client,
    IBlobStore blobs,
    RunInputFactory inputs,
    RunSubmissionGates gates,
    RunJobCanceller jobs,
    RunTerminationMarker terminations,
    IOptions<ApiOptions> apiOptions,
    ILogger<AvatarRunService> logger)
{
    private readonly StageJobInstances children = new(client);

    private static readonly string[] ActiveOrDone =
        [nameof(OrchestrationRuntimeStatus.Pending), nameof(OrchestrationRuntimeStatus.Running),
         nameof(OrchestrationRuntimeStatus.Completed), nameof(OrchestrationRuntimeStatus.Suspended)];

    /// <summary>Submits a run of the local owner (<see cref="RunIdentity.LocalOwner"/>: CLI, the local uploads folder).</summary>
    public Task<RunSubmission> SubmitAsync(
        BinaryData content, string? originalName, string? preset, JsonObject? overrides, RunSource source, CancellationToken cancellationToken,
        WorkAllowance allowance = WorkAllowance.WithinPresetBudget) =>
        SubmitAsync(content, originalName, preset, overrides, source, RunIdentity.LocalOwner, cancellationToken, allowance);

    /// <summary>
    /// Validates the upload and the settings (within the preset's work budget unless <paramref name="allowance"/> says
    /// otherwise), stores the input and starts the run of <paramref name="owner"/> (or returns the identical one: same image,
    /// settings and owner; another owner's identical upload is another run).
    /// </summary>
    public async Task<RunSubmission> SubmitAsync(
        BinaryData content, string? originalName, string? preset, JsonObject? overrides, RunSource source, string owner, CancellationToken cancellationToken,
        WorkAllowance allowance = WorkAllowance.WithinPresetBudget)
    {
        var prepared = inputs.Prepare(content, originalName, preset, overrides, owner, allowance);
        var runId = prepared.RunId;
        using (await gates.EnterAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            var existing = await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
            if (existing is not null && existing.RuntimeStatus is not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
            {
                return new RunSubmission(runId, Created: false, existing.RuntimeStatus.ToString());
            }

            await inputs.ScreenAsync(prepared, cancellationToken).ConfigureAwait(false);
            var runInput = await inputs.StoreAsync(prepared, source, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                // A failed or terminated run is started again; finished work items are reused from their checkpoints.
                logger.LogInformation("Restarting {RunId} (was {Status})", runId, existing.RuntimeStatus);
                await children.TerminateActiveAsync(runId, "parent run restarted", cancellationToken, waitForEnd: true).ConfigureAwait(false);
                await client.PurgeInstanceAsync(runId, new PurgeInstanceOptions(Recursive: true), cancellationToken).ConfigureAwait(false);
                await children.PurgeAsync(runId, cancellationToken).ConfigureAwait(false); // the new run starts its items under the same ids
            }

            await terminations.ClearAsync(runId, cancellationToken).ConfigureAwait(false); // jobs of a restarted run may start again
            try
            {
                await client.ScheduleNewOrchestrationInstanceAsync(
                    DurableNames.AvatarRunOrchestrator,
                    runInput,
                    new StartOrchestrationOptions(runId) { DedupeStatuses = ActiveOrDone },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsAlreadyExists(e))
            {
                var raced = await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
                return new RunSubmission(runId, Created: false, raced?.RuntimeStatus.ToString() ?? "Pending");
            }

            logger.LogInformation("Started run {RunId} ({Preset}, from {Source})", runId, prepared.Settings.Preset, source);
            return new RunSubmission(runId, Created: true, nameof(OrchestrationRuntimeStatus.Pending));
        }
    }

    /// <summary>Status, progress and outputs of a run, or null when there is no such run.</summary>
    public async Task<AvatarStatusView?> GetStatusAsync(string runId, string baseUrl, CancellationToken cancellationToken)
    {
        var metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return null;
        }

        var progress = metadata.SerializedCustomStatus is null ? null : metadata.ReadCustomStatusAs<RunProgress>();
        if (progress is not null)
        {
            progress = await WithJobDetailsAsync(runId, progress, cancellationToken).ConfigureAwait(false);
        }

        var output = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? metadata.ReadOutputAs<RunOutput>() : null;
        return new AvatarStatusView(
            metadata.InstanceId, metadata.Name, metadata.RuntimeStatus.ToString(), metadata.CreatedAt, metadata.LastUpdatedAt,
            progress, output, OrchestrationFailureText.For(metadata, progress, logger, "Run"), ManagementUrls.For(baseUrl, runId, apiOptions.Value.ViewerPath));
    }

    /// <summary>
    /// Terminates a run that has not ended (pending, running or suspended) with its stage-job sub-orchestrations (long
    /// stages and every fan-out work item, <see cref="StageJobInstances"/>) and its active animation jobs, marks it
    /// terminated (<see cref="RunTerminationMarker"/>: a job submitted late is refused) and
    /// asks the workers to cancel the run's queued and running jobs (unless an evaluation instance of the same run is
    /// still active and needs them); false when there is no such run. Terminating an ended run changes nothing.
    /// </summary>
    public async Task<bool> TerminateAsync(string runId, string? reason, CancellationToken cancellationToken)
    {
        using (await gates.EnterAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            var metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
            if (metadata is null)
            {
                return false;
            }

            if (IsActive(metadata.RuntimeStatus))
            {
                await client.TerminateInstanceAsync(runId, reason ?? "terminated by request", cancellationToken).ConfigureAwait(false);
                await WaitForEndAsync(runId, ParentEndWait, cancellationToken).ConfigureAwait(false); // then it starts no more work items
            }

            await children.TerminateActiveAsync(runId, "parent run terminated", cancellationToken).ConfigureAwait(false);

            foreach (var animation in (await AnimationInstancesAsync(runId, cancellationToken).ConfigureAwait(false)).Where(a => IsActive(a.RuntimeStatus)))
            {
                await client.TerminateInstanceAsync(animation.InstanceId, "run terminated", cancellationToken).ConfigureAwait(false);
                await children.TerminateActiveAsync(animation.InstanceId, "parent run terminated", cancellationToken).ConfigureAwait(false);
            }

            if (await ActiveEvaluationInstancesAsync(runId, cancellationToken).ConfigureAwait(false) is { Count: > 0 } evaluations)
            {
                logger.LogInformation("Run {RunId} terminated; its worker jobs are kept for the active evaluation instance(s) {Instances}",
                    runId, string.Join(", ", evaluations));
                return true;
            }

            // The marker first, then the ledger sweep: a job submitted meanwhile is either found by the sweep or refused by the worker.
            await terminations.MarkAsync(runId, reason ?? "terminated by request", cancellationToken).ConfigureAwait(false);
            var cancelled = await jobs.CancelActiveJobsAsync(runId, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Run {RunId} terminated; asked the workers to cancel {Jobs} job(s)", runId, cancelled);
            return true;
        }
    }

    /// <summary>
    /// Deletes an ended run's history with its stage-job sub-orchestrations', its evaluation instances'
    /// (<c>{batchId}.{runId}</c>) and animation jobs' (<c>{runId}.{animationId}</c>), each with theirs, and when asked its
    /// blobs (the animation jobs' included, with their uploads).
    /// Refused (<see cref="PurgeOutcome.StillRunning"/>) while the run or any evaluation instance or animation job of it is
    /// pending, running or suspended. Holds the run's submission gate, so no submission restarts it meanwhile.
    /// </summary>
    public async Task<PurgeOutcome> PurgeAsync(string runId, bool deleteData, CancellationToken cancellationToken)
    {
        using (await gates.EnterAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            var metadata = await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
            var evaluations = await EvaluationInstancesAsync(runId, cancellationToken).ConfigureAwait(false);
            var animations = await AnimationInstancesAsync(runId, cancellationToken).ConfigureAwait(false);
            if (metadata is null && evaluations.Count == 0 && animations.Count == 0)
            {
                return PurgeOutcome.NotFound;
            }

            if ((metadata is not null && IsActive(metadata.RuntimeStatus)) || evaluations.Any(e => IsActive(e.RuntimeStatus)) || animations.Any(a => IsActive(a.RuntimeStatus)))
            {
                return PurgeOutcome.StillRunning;
            }

            // A sub-instance left running by an ended parent (its terminate raced a start) is stopped, then purged too.
            await children.TerminateActiveAsync(runId, "parent run purged", cancellationToken, waitForEnd: true).ConfigureAwait(false);
            var owner = deleteData ? await new Identity.RunOwnership(blobs).FindOwnerAsync(runId, cancellationToken).ConfigureAwait(false) : null;

            if (metadata is not null)
            {
                await client.PurgeInstanceAsync(runId, new PurgeInstanceOptions(Recursive: true), cancellationToken).ConfigureAwait(false);
            }

            await children.PurgeAsync(runId, cancellationToken).ConfigureAwait(false);
            foreach (var instance in evaluations.Concat(animations))
            {
                await children.TerminateActiveAsync(instance.InstanceId, "parent run purged", cancellationToken, waitForEnd: true).ConfigureAwait(false);
                await client.PurgeInstanceAsync(instance.InstanceId, new PurgeInstanceOptions(Recursive: true), cancellationToken).ConfigureAwait(false);
                await children.PurgeAsync(instance.InstanceId, cancellationToken).ConfigureAwait(false);
            }

            if (deleteData)
            {
                // The animation jobs' videos, chunks and clips live under the run's folders; their uploads under uploads/animations/.
                await DeletePrefixAsync(StorageLayout.RunsContainer, $"{runId}/", cancellationToken).ConfigureAwait(false);
                await DeletePrefixAsync(StorageLayout.AvatarsContainer, StorageLayout.AvatarPrefix(runId), cancellationToken).ConfigureAwait(false);
                foreach (var uploads in Animations.VideoUploadIntake.UploadPrefixes(runId, owner))
                {
                    await DeletePrefixAsync(StorageLayout.UploadsContainer, uploads, cancellationToken).ConfigureAwait(false);
                }
            }

            return PurgeOutcome.Purged;
        }
    }

    /// <summary>Pending, running or suspended: the run may still do work.</summary>
    public static bool IsActive(OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Suspended;

    /// <summary>Runs, newest first (one page): every owner's (<paramref name="owner"/> null) or one owner's.</summary>
    public async IAsyncEnumerable<RunSummary> ListAsync(int max, string? owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new OrchestrationQuery { InstanceIdPrefix = RunIdentity.Prefix, PageSize = Math.Clamp(max, 1, 1000), FetchInputsAndOutputs = owner is not null };
        var count = 0;
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (instance.Name != DurableNames.AvatarRunOrchestrator)
            {
                continue;
            }

            if (owner is not null && (instance.ReadInputAs<RunInput>()?.Owner ?? RunIdentity.LocalOwner) != owner)
            {
                continue;
            }

            yield return new RunSummary(instance.InstanceId, instance.RuntimeStatus.ToString(), instance.CreatedAt, instance.LastUpdatedAt);
            if (++count >= max)
            {
                yield break;
            }
        }
    }

    /// <summary>Final artifacts of a run (names relative to its avatar folder).</summary>
    public async Task<IReadOnlyList<BlobInfo>> ListArtifactsAsync(string runId, CancellationToken cancellationToken)
    {
        var list = new List<BlobInfo>();
        await foreach (var blob in blobs.ListAsync(StorageLayout.AvatarsContainer, StorageLayout.AvatarPrefix(runId), cancellationToken).ConfigureAwait(false))
        {
            list.Add(blob);
        }

        return list;
    }

    /// <summary>Opens one artifact; null when it does not exist. Names are checked against path traversal.</summary>
    public async Task<(Stream Content, string ContentType)?> OpenArtifactAsync(string runId, string name, CancellationToken cancellationToken)
    {
        if (!IsSafeArtifactName(name))
        {
            return null;
        }

        var blob = StorageLayout.AvatarArtifact(runId, name);
        var info = await blobs.GetInfoAsync(blob, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            return null;
        }

        return (await blobs.OpenReadAsync(blob, cancellationToken).ConfigureAwait(false), info.ContentType ?? "application/octet-stream");
    }

    /// <summary>True for relative names made of safe characters, without <c>..</c> segments.</summary>
    public static bool IsSafeArtifactName(string name) =>
        name.Length is > 0 and < 256
        && !name.StartsWith('/')
        && name.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/');

    /// <summary>Longest a terminate waits for the run to end before it terminates the run's sub-instances.</summary>
    private static readonly TimeSpan ParentEndWait = TimeSpan.FromSeconds(5);

    private async Task WaitForEndAsync(string instanceId, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(limit);
        try
        {
            await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: false, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Still ending: its sub-instances are terminated anyway; one it starts later ends with its parent's jobs cancelled.
        }
    }

    private async Task<RunProgress> WithJobDetailsAsync(string runId, RunProgress progress, CancellationToken cancellationToken)
    {
        var stages = progress.Stages.ToList();
        for (var i = 0; i < stages.Count; i++)
        {
            if (stages[i].State != StageState.Running || !PipelineStages.TryParseSlug(stages[i].Name, out var stage))
            {
                continue;
            }

            if (!stage.IsLongRunning())
            {
                if (await WorkItemJobsDetailAsync(runId, stage, cancellationToken).ConfigureAwait(false) is { } jobs)
                {
                    stages[i] = stages[i] with { Detail = jobs };
                }

                continue;
            }

            var job = await client.GetInstanceAsync(DurableNames.StageJobInstanceId(runId, stage), getInputsAndOutputs: false, cancellationToken)
                .ConfigureAwait(false);
            if (job?.SerializedCustomStatus is null)
            {
                continue;
            }

            var status = job.ReadCustomStatusAs<StageJobStatus>();
            if (status?.Progress is { } p)
            {
                var figures = p.Figures is null ? string.Empty : " " + string.Join(" ", p.Figures.Select(f => $"{f.Key}={f.Value:G4}"));
                var eta = p.EtaSeconds is { } s ? $" eta {TimeSpan.FromSeconds(Math.Round(s)):g}" : string.Empty;
                stages[i] = stages[i] with { Detail = $"{p.Message ?? $"{p.Done}/{p.Total}"}{figures}{eta}" };
            }
            else if (status is not null)
            {
                stages[i] = stages[i] with { Detail = status.State.ToString().ToLowerInvariant() };
            }
        }

        return progress with { Stages = stages };
    }

    /// <summary>
    /// What a fan-out stage's work-item jobs (<see cref="StageJobInstances"/>) are doing, e.g. <c>jobs: 3 running, 2 queued</c>;
    /// null when the stage runs its items as activities (runs started before items were jobs) or none is active.
    /// </summary>
    private async Task<string?> WorkItemJobsDetailAsync(string runId, PipelineStage stage, CancellationToken cancellationToken)
    {
        var states = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var job in children.ListAsync(runId, cancellationToken, stage, withStatus: true).ConfigureAwait(false))
        {
            if (!IsActive(job.RuntimeStatus) || job.InstanceId == DurableNames.StageJobInstanceId(runId, stage))
            {
                continue;
            }

            var status = job.SerializedCustomStatus is null ? null : job.ReadCustomStatusAs<StageJobStatus>();
            var state = status?.State.ToString().ToLowerInvariant() ?? "submitting";
            states[state] = states.GetValueOrDefault(state) + 1;
        }

        return states.Count == 0 ? null : "jobs: " + string.Join(", ", states.Select(kv => $"{kv.Value} {kv.Key}"));
    }

    /// <summary>The evaluation instances of a run (<c>eval-...{.runId}</c>, see <c>EvaluationBatchOrchestrator</c>).</summary>
    private async Task<IReadOnlyList<OrchestrationMetadata>> EvaluationInstancesAsync(string runId, CancellationToken cancellationToken)
    {
        var found = new List<OrchestrationMetadata>();
        var query = new OrchestrationQuery { InstanceIdPrefix = EvaluationInstancePrefix, PageSize = 1000 };
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (instance.InstanceId.EndsWith($".{runId}", StringComparison.Ordinal) && instance.Name == DurableNames.AvatarRunOrchestrator)
            {
                found.Add(instance);
            }
        }

        return found;
    }

    /// <summary>The animation jobs of a run (<c>{runId}.{animationId}</c>, see <c>AnimationIdentity</c>).</summary>
    private async Task<IReadOnlyList<OrchestrationMetadata>> AnimationInstancesAsync(string runId, CancellationToken cancellationToken)
    {
        var found = new List<OrchestrationMetadata>();
        var query = new OrchestrationQuery { InstanceIdPrefix = Pipeline.Animations.AnimationIdentity.InstancePrefix(runId), PageSize = 1000 };
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (instance.Name == DurableNames.VideoAnimationOrchestrator)
            {
                found.Add(instance);
            }
        }

        return found;
    }

    private async Task<IReadOnlyList<string>> ActiveEvaluationInstancesAsync(string runId, CancellationToken cancellationToken) =>
        (await EvaluationInstancesAsync(runId, cancellationToken).ConfigureAwait(false))
        .Where(i => IsActive(i.RuntimeStatus)).Select(i => i.InstanceId).ToArray();

    /// <summary>Evaluation batch ids start with this (<see cref="EvaluationService"/>).</summary>
    private const string EvaluationInstancePrefix = "eval-";

    private async Task DeletePrefixAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        await foreach (var blob in blobs.ListAsync(container, prefix, cancellationToken).ConfigureAwait(false))
        {
            await blobs.DeleteAsync(blob.Blob, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsAlreadyExists(Exception e) =>
        e.GetType().Name.Contains("AlreadyExists", StringComparison.Ordinal)
        || e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("AlreadyExists", StringComparison.Ordinal);

}

/// <summary>What a purge did.</summary>
public enum PurgeOutcome
{
    NotFound,
    StillRunning,
    Purged,
}

/// <summary>One run in a listing.</summary>
public sealed record RunSummary(string RunId, string RuntimeStatus, DateTimeOffset CreatedTime, DateTimeOffset LastUpdatedTime);
