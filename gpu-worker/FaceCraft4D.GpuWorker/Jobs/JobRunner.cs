using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.GpuWorker.Scaling;
using FaceCraft4D.GpuWorker.Security;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using FaceCraft4D.Weights.Lifetimes;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>
/// Takes jobs off the queue and runs their stage handlers, at most <see cref="WorkerOptions.MaxConcurrentJobs"/>
/// at a time, recording progress, results and failures (classified for the caller's retry decisions). A successful
/// job's checkpoint record is written next to its outputs before the job reports success.
/// </summary>
public sealed class JobRunner(
    JobRegistry registry,
    StageHandlerCatalog handlers,
    StageImplementations implementations,
    IBlobStore blobs,
    CheckpointStore checkpoints,
    JobLedger ledger,
    WorkerVersion version,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    IJobDemandSignal demand,
    ILogger<JobRunner> logger,
    FaceCraft4D.Pipeline.Workers.RunTerminationMarker? terminations = null) : BackgroundService
{
    /// <summary>libtorch threads per job: <see cref="WorkerOptions.TorchThreads"/>, or <see cref="WorkerOptions.TorchThreadsAlone"/> while a job runs alone.</summary>
    private readonly TorchThreadBudget torchThreads = new(options.Value.TorchThreads, options.Value.TorchThreadsAlone);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.TorchThreads > 0) TorchSharp.torch.set_num_threads(options.Value.TorchThreads);
        return Task.WhenAll(Enumerable.Range(0, options.Value.MaxConcurrentJobs).Select(_ => ConsumeAsync(stoppingToken)));
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in registry.Queue.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                registry.Dequeued();
                try
                {
                    await RunAsync(job, stoppingToken).ConfigureAwait(false);
                }
                finally
                {
                    await demand.EndedAsync(job.Id, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // worker stopping
        }
    }

    private async Task RunAsync(WorkerJob job, CancellationToken stoppingToken)
    {
        var stage = job.Request.Stage;
        var handler = handlers.Find(stage);
        if (handler is null)
        {
            job.Ended(JobState.Failed, $"Stage {stage.Slug()} is not implemented by this worker.", JobFailureKind.NotImplemented, time.GetUtcNow());
            await RecordAsync(job, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        using var tooLong = new CancellationTokenSource(options.Value.MaxJobDuration, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, job.Cancellation.Token, tooLong.Token);
        if (linked.IsCancellationRequested)
        {
            // Recorded at once: a job cancelled while queued (run terminated) must not stay "queued" in the shared ledger.
            // Not while the worker stops: the job is not over (another worker resumes it), and storage may already be gone
            // (Ctrl+C stops the emulator too), where the write's retries would hold the shutdown past its limit.
            job.Ended(JobState.Cancelled, "Cancelled before it started.", null, time.GetUtcNow());
            if (!stoppingToken.IsCancellationRequested)
            {
                await RecordAsync(job, CancellationToken.None).ConfigureAwait(false);
            }
            return;
        }

        if (await TerminatedAsync(job, linked.Token).ConfigureAwait(false) is { } terminated)
        {
            // Queued before its run was terminated, and not reached by the cancel (another replica was asked): not started.
            job.Ended(JobState.Cancelled, terminated.RefusalMessage, null, time.GetUtcNow());
            await RecordAsync(job, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        job.Started(time.GetUtcNow());
        logger.LogInformation("Job {Job} started (run {Run})", job.Id, job.Runs);
        // The handler's storage is fenced to the request's run: its inputs, models, its work item's folder and the run's avatar folder.
        var context = new StageJobContext(job.Request, new RunScopedBlobStore(blobs, job.Request), new SynchronousProgress(job, time), version.Value, linked.Token)
        {
            FencingToken = job.Fence,
            TorchThreads = torchThreads,
        };
        using var threadSlot = torchThreads.JobStarted();
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = HeartbeatAsync(job, heartbeatStop.Token);
        try
        {
            var started = job.ToStatus().CreatedAt;
            // What actually runs (code version and the weights present as the job starts) goes into the checkpoint record;
            // a record whose implementation differs from the one its request was stamped with is never reused. The weights
            // are listed while the handler starts, not before it (a storage round trip off each job's critical path).
            var describing = implementations.DescribeAsync(stage, linked.Token);
            var running = time.GetUtcNow();
            var finalizedBefore = options.Value.CountFinalizedTensors ? FinalizedTensors.Count() : 0;
            StageResult result;
            try
            {
                result = await Task.Run(() => handler.ExecuteAsync(context), linked.Token).ConfigureAwait(false);
            }
            catch
            {
                // The handler's failure is the one reported; the description's own failure (or cancellation) is observed here.
                await describing.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default).ConfigureAwait(false);
                throw;
            }

            var completed = time.GetUtcNow();
            var implementation = await describing.ConfigureAwait(false);
            // The checkpoint's startedAt is the submission; the time the handler ran and the process's peak memory go with the metrics.
            var metrics = new Dictionary<string, double>(result.Metrics ?? new Dictionary<string, double>())
            {
                ["worker_service_seconds"] = (completed - running).TotalSeconds,
                ["worker_peak_rss_mib"] = ProcessPeakMemory.PeakResidentMiB(),
            };
            if (options.Value.CountFinalizedTensors)
            {
                var finalized = FinalizedTensors.Count() - finalizedBefore;
                metrics["worker_finalized_tensors"] = finalized;
                logger.LogInformation("Job {Job} ({Stage}) left {Finalized} tensors to the finalizer", job.Id, stage.Slug(), finalized);
            }

            result = result with { Metrics = metrics };

            // Outputs first, then the checkpoint record: once it exists the work is never done again for this input hash.
            await checkpoints.WriteAsync(
                new CheckpointRecord(job.Request.RunId, stage, job.Request.Key, job.Request.InputHash(), result.Outputs, result.Backend,
                    result.WorkerVersion, started, completed, result.Metrics, result.Notes, implementation?.Id),
                linked.Token).ConfigureAwait(false);
            job.Succeeded(result, completed);
            logger.LogInformation("Job {Job} succeeded with backend {Backend}", job.Id, result.Backend);
        }
        catch (Exception e) when (job.ClaimLost && e is OperationCanceledException or FencedWriteRefusedException)
        {
            logger.LogWarning("Job {Job} stopped: another worker instance took it over", job.Id);
            job.Ended(JobState.Cancelled, "Another worker instance took the job over (its claim on the job record was lost).", null, time.GetUtcNow());
        }
        catch (OperationCanceledException) when (tooLong.IsCancellationRequested && !stoppingToken.IsCancellationRequested && !job.Cancellation.IsCancellationRequested)
        {
            job.Ended(JobState.Failed, $"The job ran longer than the worker's maximum job duration ({options.Value.MaxJobDuration}); " +
                "ask for less work (fewer iterations, views or frames) or raise Fc4d:Worker:MaxJobDuration (reason: max-duration)",
                JobFailureKind.InvalidInput, time.GetUtcNow());
        }
        catch (FencedWriteRefusedException e)
        {
            logger.LogWarning("Job {Job} stopped: {Message}", job.Id, e.Message);
            job.Ended(JobState.Cancelled, e.Message, null, time.GetUtcNow());
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            job.Ended(JobState.Cancelled, stoppingToken.IsCancellationRequested ? "Worker stopping." : "Cancelled.", null, time.GetUtcNow());
        }
        catch (StageInputException e)
        {
            job.Ended(JobState.Failed, $"{e.Message} (reason: {e.ReasonCode})", JobFailureKind.InvalidInput, time.GetUtcNow());
        }
        catch (BackendUnavailableException e)
        {
            job.Ended(JobState.Failed, e.Message, JobFailureKind.NotImplemented, time.GetUtcNow());
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {Job} failed", job.Id);
            job.Ended(JobState.Failed, $"{e.GetType().Name}: {e.Message}", JobFailureKind.Internal, time.GetUtcNow());
        }
        finally
        {
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
            await RecordAsync(job, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The run's termination marker when one is in force (one blob read); a failed read starts the job (the sweep still cancels it).</summary>
    private async Task<FaceCraft4D.Pipeline.Workers.RunTerminatedRecord?> TerminatedAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        if (terminations is null)
        {
            return null;
        }

        try
        {
            return await terminations.FindAsync(job.Request.RunId, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null; // the job's cancellation is handled where the handler runs
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Job {Job}: could not read its run's termination marker; starting it", job.Id);
            return null;
        }
    }

    /// <summary>
    /// Rewrites the job's shared record while it runs: progress for pollers at other replicas, and the heartbeat. A
    /// refused write (another instance took the job over) cancels the job here.
    /// </summary>
    private async Task HeartbeatAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        try
        {
            do
            {
                await RecordAsync(job, cancellationToken).ConfigureAwait(false);
                await Task.Delay(options.Value.JobHeartbeat, time, cancellationToken).ConfigureAwait(false);
            }
            while (!cancellationToken.IsCancellationRequested);
        }
        catch (OperationCanceledException)
        {
            // job ended
        }
    }

    private async Task RecordAsync(WorkerJob job, CancellationToken cancellationToken)
    {
        try
        {
            if (!await ledger.WriteAsync(job, cancellationToken).ConfigureAwait(false) && job.ClaimLost)
            {
                logger.LogWarning("Job {Job}: the job record was taken over by another worker instance; stopping it here", job.Id);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not write the record of job {Job}", job.Id);
        }
    }

    /// <summary>Progress that records at once (no synchronisation context hop), so polls see the latest figures.</summary>
    private sealed class SynchronousProgress(WorkerJob job, TimeProvider time) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => job.Report(value, time.GetUtcNow());
    }
}
