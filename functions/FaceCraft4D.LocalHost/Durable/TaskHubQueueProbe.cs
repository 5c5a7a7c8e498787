using Azure.Storage.Queues;

namespace FaceCraft4D.LocalHost.Durable;

/// <summary>
/// Whether the durable engine has any message at all in its task hub's queues (control queues and the work-item
/// queue). Storage's approximate count includes messages that are invisible (in flight, or durable timers not yet
/// due), so zero means no orchestration or activity work exists anywhere.
/// </summary>
public sealed class TaskHubQueueProbe(string storageConnectionString, string taskHubName)
{
    private readonly QueueServiceClient service = new(storageConnectionString);

    /// <summary>Messages in the task hub's queues (approximate, includes invisible ones).</summary>
    public async Task<int> PendingMessagesAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        var prefix = $"{taskHubName.ToLowerInvariant()}-";
        await foreach (var queue in service.GetQueuesAsync(prefix: prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var properties = await service.GetQueueClient(queue.Name).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            total += properties.Value.ApproximateMessagesCount;
        }

        return total;
    }
}
