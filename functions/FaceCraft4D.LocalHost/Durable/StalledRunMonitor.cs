using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Animations;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.LocalHost.Durable;

/// <summary>
/// Finds runs that wait for a message that no longer exists (a storage emulator killed before it persisted its queues
/// lost the TaskScheduled messages of a fan-out; the orchestration then waits forever) and repairs them. A run is
/// stalled when it is pending or running, neither it nor its stage-job sub-orchestrations (long stages and fan-out work
/// items, <see cref="StageJobInstances"/>) changed for
/// <see cref="StalledRunOptions.StallAfter"/>, the task hub's queues hold no message (nothing in flight, no timer
/// due later) and the job ledger shows no live worker job of the run. The repair restarts the run from its
/// checkpointed stages (terminate, purge, start again with the same input: finished work items are reused); after
/// <see cref="StalledRunOptions.MaxRestarts"/> restarts it ends the run with the reason instead. Never hangs a run forever.
/// Animation jobs (<c>{runId}.{animationId}</c>, <see cref="DurableNames.VideoAnimationOrchestrator"/>) are watched the
/// same way (their chunks are reused from their checkpoints); their live worker jobs are those of their run.
/// </summary>
public sealed class StalledRunMonitor(
    DurableTaskClient client,
    TaskHubQueueProbe queues,
    RunJobCanceller jobs,
    RunSubmissionGates gates,
    IOptions<StalledRunOptions> options,
    TimeProvider time,
    ILogger<StalledRunMonitor> logger) : BackgroundService
{
    private readonly Dictionary<string, int> restarts = new(StringComparer.Ordinal);
    private readonly StageJobInstances children = new(client);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.CheckInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await CheckOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checking for stalled runs failed; trying again in {Interval}", interval);
            }
        }
    }

    /// <summary>One pass: finds stalled runs and repairs them; returns the ids it acted on.</summary>
    public async Task<IReadOnlyList<string>> CheckOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stallAfter = options.Value.StallAfter;
        var candidates = new List<OrchestrationMetadata>();
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = RunIdentity.Prefix,
            Statuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running],
            PageSize = 1000,
        };
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (instance.Name is DurableNames.AvatarRunOrchestrator or DurableNames.VideoAnimationOrchestrator && now - instance.LastUpdatedAt > stallAfter)
            {
                candidates.Add(instance);
            }
        }

        if (candidates.Count == 0 || await queues.PendingMessagesAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return [];
        }

        var repaired = new List<string>();
        foreach (var run in candidates)
        {
            var isRun = run.Name == DurableNames.AvatarRunOrchestrator;
            var runId = isRun ? run.InstanceId : run.InstanceId.Split('.')[0]; // an animation job: {runId}.{animationId}
            if (await HasRecentChildActivityAsync(run.InstanceId, now, cancellationToken).ConfigureAwait(false)
                || (await jobs.FindActiveJobRecordsAsync(runId, cancellationToken).ConfigureAwait(false)).Any(j => now - j.HeartbeatAt < stallAfter))
            {
                continue;
            }

            await RepairAsync(run, now - run.LastUpdatedAt, cancellationToken).ConfigureAwait(false);
            repaired.Add(run.InstanceId);
        }

        return repaired;
    }

    /// <summary>
    /// True when a stage-job sub-orchestration of the run or animation job (a long stage, a fan-out work item, a tracking
    /// chunk) changed recently: a job
    /// being polled updates its instance every poll. A child that waits forever itself (its message lost) does not, so
    /// the run it holds up is still found stalled.
    /// </summary>
    private async Task<bool> HasRecentChildActivityAsync(string runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await foreach (var child in children.ListAsync(runId, cancellationToken).ConfigureAwait(false))
        {
            if (child.RuntimeStatus is OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running
                && now - child.LastUpdatedAt <= options.Value.StallAfter)
            {
                return true;
            }
        }

        return false;
    }

    private async Task RepairAsync(OrchestrationMetadata run, TimeSpan idle, CancellationToken cancellationToken)
    {
        var runId = run.InstanceId;
        using var gate = await gates.EnterAsync(runId, cancellationToken).ConfigureAwait(false); // no submission restarts it meanwhile
        var done = restarts.GetValueOrDefault(runId);
        var reason = $"stalled: no progress for {idle.TotalSeconds:F0} s while no work was pending anywhere (no queued message, no worker job)";
        if (done >= options.Value.MaxRestarts)
        {
            logger.LogError("Run {RunId} is {Reason}; it was restarted {Restarts} time(s) already, so it is ended", runId, reason, done);
            await client.TerminateInstanceAsync(runId, $"{reason}; restarting it from its checkpoints did not help", cancellationToken).ConfigureAwait(false);
            await children.TerminateActiveAsync(runId, "parent run ended as stalled", cancellationToken).ConfigureAwait(false);
            return;
        }

        var current = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        var isRun = run.Name == DurableNames.AvatarRunOrchestrator;
        object? input = isRun ? current?.ReadInputAs<RunInput>() : current?.ReadInputAs<VideoAnimationInput>();
        if (input is null)
        {
            logger.LogError("Run {RunId} is {Reason} and its input cannot be read; it is ended", runId, reason);
            await client.TerminateInstanceAsync(runId, $"{reason}; its input could not be read to restart it", cancellationToken).ConfigureAwait(false);
            await children.TerminateActiveAsync(runId, "parent run ended as stalled", cancellationToken).ConfigureAwait(false);
            return;
        }

        logger.LogWarning("Run {RunId} is {Reason}; restarting it from its checkpointed stages", runId, reason);
        restarts[runId] = done + 1;
        await client.TerminateInstanceAsync(runId, $"{reason}; restarted from its checkpoints", cancellationToken).ConfigureAwait(false);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(TimeSpan.FromMinutes(2));
        await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: false, wait.Token).ConfigureAwait(false);

        // Every stage-job sub-orchestration (long stages and fan-out work items) ends and is purged: the restarted run
        // starts its items under the same ids, and a finished item is reused from its checkpoint without a job.
        await children.TerminateActiveAsync(runId, "parent run restarted", cancellationToken, waitForEnd: true).ConfigureAwait(false);
        await client.PurgeInstanceAsync(runId, new PurgeInstanceOptions(Recursive: true), cancellationToken).ConfigureAwait(false);
        await children.PurgeAsync(runId, cancellationToken).ConfigureAwait(false);
        await client.ScheduleNewOrchestrationInstanceAsync(run.Name, input, new StartOrchestrationOptions(runId), cancellationToken)
            .ConfigureAwait(false);
    }
}
