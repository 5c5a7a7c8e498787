using DurableTask.Core;
using DurableTask.Core.History;

namespace FaceCraft4D.LocalHost.Durable;

/// <summary>
/// Keeps a replayed episode from starting a sub-orchestration that is already running. The Azure Storage provider sends an
/// episode's messages before it saves the episode's history, so a host killed in between replays the episode after its
/// restart and sends the same sub-orchestration start again, under a new execution id. The provider takes a start with a
/// new execution id as a new execution of the instance: the running child (a fan-out item's or a video chunk's
/// <c>StageJobOrchestrator</c>) is started over with an empty history, its job is submitted a second time, and the first
/// execution's replies (the poll that was in flight) arrive "out of order" for ever; the child never completes and its
/// parent waits for ever. A start whose target instance is pending, running or suspended and was created during the
/// parent's current execution is therefore dropped: that instance is the one the same episode started before the crash.
/// A start of an instance that has ended (a retried or restarted child), does not exist yet, or is left over from an earlier
/// execution of the parent (a restarted run whose old item had not ended yet) is sent as before.
/// </summary>
public static class RepeatedSubOrchestrationStarts
{
    /// <summary>
    /// <paramref name="messages"/> without the sub-orchestration starts whose target is active and was created since its
    /// parent's execution started (<paramref name="readState"/>: an instance's latest state, or null;
    /// <paramref name="parentStartedAt"/>: when the parent's current execution started, or null to read it);
    /// <paramref name="dropped"/> is told of each.
    /// </summary>
    public static async Task<IList<TaskMessage>> WithoutActiveTargetsAsync(
        IList<TaskMessage> messages, Func<string, Task<OrchestrationState?>> readState, Action<TaskMessage, OrchestrationState> dropped,
        DateTime? parentStartedAt = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!messages.Any(IsSubOrchestrationStart))
        {
            return messages;
        }

        // The targets' states are read at once, not one after another: a fan-out episode starts every item (six enhance-view
        // jobs, six animate-view jobs beside train-static), and each read is a table round trip on the run's critical path.
        // A reply for the same instance is read once. The kept messages stay in their order.
        var states = messages
            .Where(IsSubOrchestrationStart)
            .Select(m => m.OrchestrationInstance.InstanceId)
            .Distinct(StringComparer.Ordinal)
            .ToDictionary(id => id, readState, StringComparer.Ordinal);
        await Task.WhenAll(states.Values).ConfigureAwait(false);
        var parentStarted = parentStartedAt;
        var kept = new List<TaskMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (IsSubOrchestrationStart(message)
                && await states[message.OrchestrationInstance.InstanceId].ConfigureAwait(false) is { } current
                && IsActive(current.OrchestrationStatus)
                && !string.Equals(current.OrchestrationInstance?.ExecutionId, message.OrchestrationInstance.ExecutionId, StringComparison.Ordinal)
                && current.CreatedTime >= (parentStarted ??= await ParentStartedAtAsync(message, readState).ConfigureAwait(false)))
            {
                dropped(message, current);
                continue;
            }

            kept.Add(message);
        }

        return kept;
    }

    private static async Task<DateTime> ParentStartedAtAsync(TaskMessage message, Func<string, Task<OrchestrationState?>> readState)
    {
        var parent = ((ExecutionStartedEvent)message.Event).ParentInstance.OrchestrationInstance?.InstanceId;
        return parent is null ? DateTime.MinValue : (await readState(parent).ConfigureAwait(false))?.CreatedTime ?? DateTime.MinValue;
    }

    private static bool IsSubOrchestrationStart(TaskMessage message) =>
        message.Event is ExecutionStartedEvent { ParentInstance: not null } && !string.IsNullOrEmpty(message.OrchestrationInstance?.InstanceId);

    private static bool IsActive(OrchestrationStatus status) =>
        status is OrchestrationStatus.Pending or OrchestrationStatus.Running or OrchestrationStatus.Suspended;
}
