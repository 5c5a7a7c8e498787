using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Api.Limits;

/// <summary>Says at start-up where the per-owner rate limits are kept (shared across hosts, or this host's memory only).</summary>
public sealed class RateBucketsReport(IRateBuckets buckets, ILogger<RateBucketsReport> logger) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (buckets.IsShared)
        {
            logger.LogInformation("Per-owner rate limits: {Where}", buckets.Description);
        }
        else
        {
            logger.LogWarning("Per-owner rate limits: {Where}", buckets.Description);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
