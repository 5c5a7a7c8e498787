using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>
/// When the worker was started by a local host (<c>Fc4d:Worker:ParentProcessId</c>), stops the worker once that
/// process is gone, so a killed host leaves no orphan workers behind.
/// </summary>
public sealed class ParentProcessWatchdog(IOptions<WorkerOptions> options, IHostApplicationLifetime lifetime, ILogger<ParentProcessWatchdog> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ParentProcessId is not { } parentId)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (!IsAlive(parentId))
            {
                logger.LogWarning("Parent process {Pid} is gone; stopping the worker", parentId);
                lifetime.StopApplication();
                return;
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
