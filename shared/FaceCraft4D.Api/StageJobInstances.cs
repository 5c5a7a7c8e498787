using System.Runtime.CompilerServices;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using Microsoft.DurableTask.Client;

namespace FaceCraft4D.Api;

/// <summary>
/// The stage-job sub-orchestrations of one parent instance (a run, an evaluation instance of a run or a video animation
/// job): long stages (<c>{parent}.{stage}</c>, <see cref="DurableNames.StageJobInstanceId"/>) and fan-out work items
/// (<c>{parent}.{stage}.{key}</c>, <see cref="DurableNames.WorkItemJobInstanceId"/>). Found by instance-id prefix, so it
/// covers every item a run ever started, whatever its plan or the policy it ran with. Terminate, purge, restart and the
/// stall check use it, so no sub-instance keeps a worker busy or a history behind after its parent is gone.
/// </summary>
public sealed class StageJobInstances(DurableTaskClient client)
{
    /// <summary>
    /// The parent's stage-job sub-instances (another job's instances under the same prefix, e.g. a run's video animations,
    /// are left out), of one <paramref name="stage"/> when given; with <paramref name="withStatus"/> their custom status
    /// (<c>StageJobStatus</c>) can be read.
    /// </summary>
    public async IAsyncEnumerable<OrchestrationMetadata> ListAsync(
        string parentInstanceId, [EnumeratorCancellation] CancellationToken cancellationToken, PipelineStage? stage = null, bool withStatus = false)
    {
        var prefix = stage is { } s ? DurableNames.StageJobInstanceId(parentInstanceId, s) : DurableNames.StageJobInstancePrefix(parentInstanceId);
        var query = new OrchestrationQuery { InstanceIdPrefix = prefix, PageSize = 500, FetchInputsAndOutputs = withStatus };
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (instance.Name == DurableNames.StageJobOrchestrator && IsChildOf(instance.InstanceId, parentInstanceId, stage))
            {
                yield return instance;
            }
        }
    }

    /// <summary>
    /// Terminates every sub-instance that is pending, running or suspended; returns their ids. With
    /// <paramref name="waitForEnd"/> it then waits (at most <see cref="EndWait"/> in all) until they have ended, so they
    /// can be purged or started again under the same ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> TerminateActiveAsync(
        string parentInstanceId, string reason, CancellationToken cancellationToken, bool waitForEnd = false)
    {
        var terminated = new List<string>();
        await foreach (var child in ListAsync(parentInstanceId, cancellationToken).ConfigureAwait(false))
        {
            if (AvatarRunService.IsActive(child.RuntimeStatus))
            {
                await client.TerminateInstanceAsync(child.InstanceId, reason, cancellationToken).ConfigureAwait(false);
                terminated.Add(child.InstanceId);
            }
        }

        if (waitForEnd && terminated.Count > 0)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(EndWait);
            try
            {
                foreach (var id in terminated)
                {
                    await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false, wait.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not ended in time (a stopped engine): the caller goes on; a later purge or restart tries again.
            }
        }

        return terminated;
    }

    /// <summary>Longest <see cref="TerminateActiveAsync"/> waits for terminated sub-instances to end.</summary>
    public static TimeSpan EndWait { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Deletes the history of every sub-instance (the caller has made sure none is active); returns how many.</summary>
    public async Task<int> PurgeAsync(string parentInstanceId, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var child in ListAsync(parentInstanceId, cancellationToken).ConfigureAwait(false))
        {
            ids.Add(child.InstanceId);
        }

        foreach (var id in ids)
        {
            await client.PurgeInstanceAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return ids.Count;
    }

    /// <summary>
    /// True for <c>{parent}.{stage}</c> and <c>{parent}.{stage}.{key}</c> where stage is a stage slug (of
    /// <paramref name="stage"/> when given): a run's <c>{runId}.{animationId}…</c> instances are not its children.
    /// </summary>
    public static bool IsChildOf(string instanceId, string parentInstanceId, PipelineStage? stage = null)
    {
        var prefix = DurableNames.StageJobInstancePrefix(parentInstanceId);
        if (!instanceId.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = instanceId[prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var slug = dot < 0 ? rest : rest[..dot];
        var key = dot < 0 ? null : rest[(dot + 1)..];
        return PipelineStages.TryParseSlug(slug, out var parsed)
            && parsed.Slug() == slug
            && (stage is null || parsed == stage)
            && (key is null || (key.Length > 0 && !key.Contains('.', StringComparison.Ordinal)));
    }
}
