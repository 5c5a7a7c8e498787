using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Scaling;

/// <summary>
/// One message per held job in a storage queue (<see cref="JobQueueOptions.Name"/>): sent when a job is accepted here,
/// deleted when it ends, replaced by a fresh one every <see cref="JobQueueOptions.RenewEvery"/> so that it expires
/// (<see cref="JobQueueOptions.MessageTimeToLive"/>) once this replica is gone. The queue's length is then the number of
/// running and waiting jobs over all replicas, which the KEDA <c>azure-queue</c> scale rule divides by the jobs a replica
/// takes. Queue faults are logged and never fail a job: the signal only steers scaling. When the replica stops it deletes
/// what it still holds (its unfinished jobs are resubmitted to, and counted at, another replica).
/// </summary>
public sealed class StorageQueueJobDemand(QueueClient queue, IOptions<JobQueueOptions> options, TimeProvider time, ILogger<StorageQueueJobDemand> logger)
    : BackgroundService, IJobDemandSignal
{
    private readonly ConcurrentDictionary<string, HeldMessage> held = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim created = new(1, 1);
    private bool exists;

    /// <summary>Jobs this replica currently signals.</summary>
    public int HeldCount => held.Count;

    /// <inheritdoc />
    public async Task AcceptedAsync(string jobId, CancellationToken cancellationToken)
    {
        if (held.ContainsKey(jobId))
        {
            return;
        }

        try
        {
            var message = await SendAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (!held.TryAdd(jobId, message))
            {
                await DeleteAsync(message, CancellationToken.None).ConfigureAwait(false); // accepted twice at once: keep one
            }
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException)
        {
            logger.LogWarning(e, "Could not signal job {Job} in queue {Queue}; scaling does not see it", jobId, queue.Name);
        }
    }

    /// <inheritdoc />
    public async Task EndedAsync(string jobId, CancellationToken cancellationToken)
    {
        if (held.TryRemove(jobId, out var message))
        {
            await DeleteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces every held message by a fresh one (what the renewal loop does each <see cref="JobQueueOptions.RenewEvery"/>).</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        foreach (var (jobId, old) in held.ToArray())
        {
            try
            {
                var fresh = await SendAsync(jobId, cancellationToken).ConfigureAwait(false);
                if (held.TryUpdate(jobId, fresh, old))
                {
                    await DeleteAsync(old, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await DeleteAsync(fresh, cancellationToken).ConfigureAwait(false); // the job ended meanwhile
                }
            }
            catch (RequestFailedException e)
            {
                logger.LogWarning(e, "Could not renew the queue message of job {Job}", jobId);
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.RenewEvery, time, stoppingToken).ConfigureAwait(false);
                await RenewAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var jobId in held.Keys.ToArray())
        {
            await EndedAsync(jobId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HeldMessage> SendAsync(string jobId, CancellationToken cancellationToken)
    {
        await EnsureQueueAsync(cancellationToken).ConfigureAwait(false);
        var receipt = await queue.SendMessageAsync(jobId, TimeSpan.Zero, options.Value.MessageTimeToLive, cancellationToken).ConfigureAwait(false);
        return new HeldMessage(receipt.Value.MessageId, receipt.Value.PopReceipt);
    }

    private async Task DeleteAsync(HeldMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // expired already
        }
        catch (RequestFailedException e)
        {
            logger.LogWarning(e, "Could not delete queue message {Message}; it expires within {Ttl}", message.MessageId, options.Value.MessageTimeToLive);
        }
    }

    private async Task EnsureQueueAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref exists))
        {
            return;
        }

        await created.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!exists)
            {
                try
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException e) when (e.Status == 403)
                {
                    // Azure: the queue is created by the infrastructure and the identity may only send and delete.
                    logger.LogDebug("Not allowed to create queue {Queue}; using it as provisioned", queue.Name);
                }

                Volatile.Write(ref exists, true);
            }
        }
        finally
        {
            created.Release();
        }
    }

    private sealed record HeldMessage(string MessageId, string PopReceipt);
}
