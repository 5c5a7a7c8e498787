using FaceCraft4D.Api;
using FaceCraft4D.Pipeline.Evaluation;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.LocalHost;

/// <summary>
/// The local stand-in for the Functions timer trigger: starts one evaluation batch per configured set every
/// <see cref="EvaluationOptions.Interval"/> (off when zero).
/// </summary>
public sealed class EvaluationScheduler(EvaluationService evaluations, IOptions<EvaluationOptions> options, ILogger<EvaluationScheduler> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var started = await evaluations.StartScheduledAsync("timer", stoppingToken).ConfigureAwait(false);
                logger.LogInformation("Scheduled evaluation started {Batches}", string.Join(", ", started));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Starting the scheduled evaluation failed");
            }
        }
    }
}
