using System.Collections.Concurrent;
using DurableTask.Core;

namespace FaceCraft4D.LocalHost.Durable;

/// <summary>
/// Keeps the queue message of every running activity work item invisible while the activity runs, by renewing its
/// lock every <c>interval</c> until the work item is completed or abandoned. The Durable Task sidecar's dispatcher
/// never renews activity locks, so without this the work-item queue's visibility timeout had to exceed the longest
/// activity (it was 5 minutes), and after a crash an in-flight activity's message stayed invisible that long.
/// With renewal the timeout can be short (tens of seconds): a crashed host's activities come back that soon.
/// </summary>
public sealed class ActivityLockRenewal(Func<TaskActivityWorkItem, Task<TaskActivityWorkItem>> renew, TimeSpan interval)
{
    private readonly ConcurrentDictionary<string, Renewal> running = new(StringComparer.Ordinal);

    /// <summary>Renewals that failed (the message was gone or its lock lost); for diagnostics.</summary>
    public int Failures => failures;

    private int failures;

    /// <summary>Starts renewing a freshly locked work item.</summary>
    public void Track(TaskActivityWorkItem? workItem)
    {
        if (workItem is null || interval <= TimeSpan.Zero)
        {
            return;
        }

        var stop = new CancellationTokenSource();
        var renewal = new Renewal(stop, RenewLoopAsync(workItem, stop.Token));
        if (!running.TryAdd(workItem.Id, renewal))
        {
            stop.Cancel();
            stop.Dispose();
        }
    }

    /// <summary>
    /// Stops renewing a work item and waits for a renewal in flight, so that completing or abandoning it never races
    /// a renewal over the message's pop receipt.
    /// </summary>
    public async Task UntrackAsync(TaskActivityWorkItem workItem)
    {
        if (!running.TryRemove(workItem.Id, out var renewal))
        {
            return;
        }

        await renewal.Stop.CancelAsync().ConfigureAwait(false);
        await renewal.Loop.ConfigureAwait(false);
        renewal.Stop.Dispose();
    }

    private async Task RenewLoopAsync(TaskActivityWorkItem workItem, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, stop).ConfigureAwait(false);
                try
                {
                    await renew(workItem).ConfigureAwait(false);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // Storage unreachable for a moment, or the lock already lost: the next try may succeed; if the
                    // message reappears meanwhile the activity runs again, which the idempotent jobs allow.
                    Interlocked.Increment(ref failures);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // completed or abandoned
        }
    }

    private sealed record Renewal(CancellationTokenSource Stop, Task Loop);
}
