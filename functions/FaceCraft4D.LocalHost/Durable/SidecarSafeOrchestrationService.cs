using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.LocalHost.Durable;

/// <summary>
/// Forwards every call to the Azure Storage orchestration service, normalising two things the Durable Task
/// gRPC sidecar (InProcessTestHost 0.2.3-preview.1) hands over and the Azure Storage provider cannot read back:
/// start events whose <c>Tags</c> are a protobuf <c>MapField</c> (the type-named JSON of the control queue message
/// then fails to deserialize and poisons the partition), and its own <c>GrpcSubOrchestrationInstanceCreatedEvent</c>
/// subclass in the history (the history table row is then unreadable). Tags become a plain dictionary and the
/// subclass becomes the standard event before anything is persisted. It also renews the locks of running activity
/// work items (<see cref="ActivityLockRenewal"/>; the sidecar's dispatcher does not), every
/// <paramref name="activityLockRenewInterval"/> (zero: never), and it does not start a sub-orchestration again that is
/// already active (<see cref="RepeatedSubOrchestrationStarts"/>: an episode replayed after a crash sends its starts
/// again), logging each dropped start on <paramref name="logger"/>. Everything else passes through unchanged.
/// </summary>
public sealed class SidecarSafeOrchestrationService<TService>(TService inner, TimeSpan activityLockRenewInterval = default, ILogger? logger = null)
    : IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
    where TService : IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    // ---- the normalisation ----

    /// <inheritdoc />
    public async Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        foreach (var message in orchestratorMessages)
        {
            Normalize(message);
        }

        if (continuedAsNewMessage is not null)
        {
            Normalize(continuedAsNewMessage);
        }

        if (newOrchestrationRuntimeState is not null)
        {
            NormalizeHistory(newOrchestrationRuntimeState.Events);
            NormalizeHistory(newOrchestrationRuntimeState.NewEvents);
        }

        if (orchestrationState?.Tags is { } tags && tags is not Dictionary<string, string>)
        {
            orchestrationState.Tags = new Dictionary<string, string>(tags);
        }

        orchestratorMessages = await WithoutRepeatedStartsAsync(orchestratorMessages, newOrchestrationRuntimeState?.ExecutionStartedEvent?.Timestamp)
            .ConfigureAwait(false);
        await inner.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState)
            .ConfigureAwait(false);
    }

    private Task<IList<TaskMessage>> WithoutRepeatedStartsAsync(IList<TaskMessage> messages, DateTime? parentStartedAt = null) =>
        RepeatedSubOrchestrationStarts.WithoutActiveTargetsAsync(
            messages,
            async id => (await inner.GetOrchestrationStateAsync(id, allExecutions: false).ConfigureAwait(false))?.FirstOrDefault(),
            (message, current) => logger?.LogWarning(
                "Not starting {InstanceId} again (execution {Execution}): it is {Status} as execution {Current}, started by an earlier run of the same episode",
                message.OrchestrationInstance.InstanceId, message.OrchestrationInstance.ExecutionId, current.OrchestrationStatus,
                current.OrchestrationInstance?.ExecutionId),
            parentStartedAt);

    /// <inheritdoc />
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => inner.CreateTaskOrchestrationAsync(Normalize(creationMessage));

    /// <inheritdoc />
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses) =>
        inner.CreateTaskOrchestrationAsync(Normalize(creationMessage), dedupeStatuses);

    private static void NormalizeHistory(IList<HistoryEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            Normalize(events[i]);
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = StandardCopy(created);
            }
        }
    }

    private static SubOrchestrationInstanceCreatedEvent StandardCopy(SubOrchestrationInstanceCreatedEvent source)
    {
        var copy = new SubOrchestrationInstanceCreatedEvent(source.EventId);
        foreach (var property in typeof(SubOrchestrationInstanceCreatedEvent).GetProperties())
        {
            if (property.CanRead && property.GetSetMethod() is not null)
            {
                property.SetValue(copy, property.GetValue(source));
            }
        }

        return copy;
    }

    private static TaskMessage Normalize(TaskMessage message)
    {
        Normalize(message.Event);
        return message;
    }

    private static void Normalize(HistoryEvent? historyEvent)
    {
        if (historyEvent is ExecutionStartedEvent { Tags: { } tags } started && tags is not Dictionary<string, string>)
        {
            started.Tags = new Dictionary<string, string>(tags);
        }
    }

    // ---- activity lock renewal ----

    private readonly ActivityLockRenewal activityLocks = new(inner.RenewTaskActivityWorkItemLockAsync, activityLockRenewInterval);

    /// <summary>Activity lock renewals that failed so far.</summary>
    public int ActivityLockRenewalFailures => activityLocks.Failures;

    // ---- pure forwarding ----

    /// <inheritdoc />
    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    /// <inheritdoc />
    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    /// <inheritdoc />
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    /// <inheritdoc />
    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    /// <inheritdoc />
    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    // ---- start and stop: once each, stop after start ----
    // The sidecar stops the provider from an async-void callback while the host also stops it explicitly; a second
    // or early stop throws inside the provider (NullReferenceException in AppLeaseManager.StopAsync), which from that
    // callback ends the process. Here the first stop runs once start has finished, every later call shares it, and a
    // failure while stopping is kept in StopFailure instead of being thrown (nothing is left to clean up by then).

    private readonly object lifecycle = new();
    private Task started = Task.CompletedTask;
    private Task? stopped;

    /// <inheritdoc />
    public Task StartAsync()
    {
        lock (lifecycle)
        {
            if (stopped is not null) throw new InvalidOperationException("The orchestration service was stopped.");
            return started = inner.StartAsync();
        }
    }

    /// <inheritdoc />
    public Task StopAsync() => StopAsync(isForced: false);

    /// <inheritdoc />
    public Task StopAsync(bool isForced)
    {
        lock (lifecycle)
        {
            return stopped ??= StopAfterStartAsync(started, isForced);
        }
    }

    private async Task StopAfterStartAsync(Task start, bool isForced)
    {
        try
        {
            await start.ConfigureAwait(false);
        }
        catch (Exception) when (!start.IsCompletedSuccessfully)
        {
            // a failed start leaves nothing running that stopping could release
            return;
        }

        try
        {
            await inner.StopAsync(isForced).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StopFailure = e;
        }
    }

    /// <summary>What went wrong while stopping the provider, if anything (shutdown goes on regardless).</summary>
    public Exception? StopFailure { get; private set; }

    /// <inheritdoc />
    public Task CreateAsync() => inner.CreateAsync();

    /// <inheritdoc />
    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    /// <inheritdoc />
    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    /// <inheritdoc />
    public Task DeleteAsync() => inner.DeleteAsync();

    /// <inheritdoc />
    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    /// <inheritdoc />
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    /// <inheritdoc />
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    /// <inheritdoc />
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    /// <inheritdoc />
    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    /// <inheritdoc />
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    /// <inheritdoc />
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    /// <inheritdoc />
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    /// <inheritdoc />
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken).ConfigureAwait(false);
        activityLocks.Track(workItem);
        return workItem;
    }

    /// <inheritdoc />
    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    /// <inheritdoc />
    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        await activityLocks.UntrackAsync(workItem).ConfigureAwait(false);
        await inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        await activityLocks.UntrackAsync(workItem).ConfigureAwait(false);
        await inner.AbandonTaskActivityWorkItemAsync(workItem).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SendTaskOrchestrationMessageAsync(TaskMessage message)
    {
        if ((await WithoutRepeatedStartsAsync([message]).ConfigureAwait(false)).Count > 0)
        {
            await inner.SendTaskOrchestrationMessageAsync(Normalize(message)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) =>
        await inner.SendTaskOrchestrationMessageBatchAsync((await WithoutRepeatedStartsAsync(messages).ConfigureAwait(false)).Select(Normalize).ToArray())
            .ConfigureAwait(false);

    /// <inheritdoc />
    public Task<OrchestrationState> WaitForOrchestrationAsync(string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken) =>
        inner.WaitForOrchestrationAsync(instanceId, executionId, timeout, cancellationToken);

    /// <inheritdoc />
    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => inner.ForceTerminateTaskOrchestrationAsync(instanceId, reason);

    /// <inheritdoc />
    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) =>
        inner.GetOrchestrationStateAsync(instanceId, allExecutions);

    /// <inheritdoc />
    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) =>
        inner.GetOrchestrationStateAsync(instanceId, executionId);

    /// <inheritdoc />
    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) => inner.GetOrchestrationHistoryAsync(instanceId, executionId);

    /// <inheritdoc />
    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        inner.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);

    /// <inheritdoc />
    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        inner.GetOrchestrationWithQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) => inner.PurgeInstanceStateAsync(instanceId);

    /// <inheritdoc />
    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) => inner.PurgeInstanceStateAsync(purgeInstanceFilter);
}
