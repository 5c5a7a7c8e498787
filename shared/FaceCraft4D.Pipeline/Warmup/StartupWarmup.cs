using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Pipeline.Warmup;

/// <summary>
/// One start-up warm-up of a process's first-use paths (the local host's <c>FirstUseWarmup</c>, the GPU worker's
/// <c>JobPathWarmup</c>): runs the warm-up body once, off the caller's thread, unless switched off; a failure is logged
/// and changes nothing; <see cref="Completion"/> completes in every case, so whoever waits for it never hangs.
/// </summary>
public sealed class StartupWarmup
{
    /// <summary>A run id of the valid shape that no photo and settings hash to in practice; warm-ups only ever read it.</summary>
    public const string WarmupRunId = "fc4d-0000000000000000-0000000000000000";

    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the warm-up has run (or was switched off, or failed).</summary>
    public Task Completion => finished.Task;

    /// <summary>True once <see cref="Completion"/> has completed.</summary>
    public bool IsDone => finished.Task.IsCompleted;

    /// <summary>Runs <paramref name="warm"/> once when <paramref name="enabled"/>; never throws (a failure is logged, stopping ends it quietly).</summary>
    /// <param name="enabled">The process's warm-up switch.</param>
    /// <param name="warm">The warm-up body (reads only).</param>
    /// <param name="logger">Where a failure is reported.</param>
    /// <param name="failureMessage">The warning logged when the body fails.</param>
    /// <param name="stoppingToken">The host's stopping token.</param>
    public async Task RunAsync(bool enabled, Func<CancellationToken, Task> warm, ILogger logger, string failureMessage, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(warm);
        ArgumentNullException.ThrowIfNull(logger);
        if (!enabled)
        {
            finished.TrySetResult();
            return;
        }

        try
        {
            // Off the start-up thread: the host's StartAsync (and its health endpoint) never waits for this.
            await Task.Run(() => warm(stoppingToken), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception e)
        {
#pragma warning disable CA2254 // the message is one of the callers' constants
            logger.LogWarning(e, failureMessage);
#pragma warning restore CA2254
        }
        finally
        {
            finished.TrySetResult();
        }
    }
}
