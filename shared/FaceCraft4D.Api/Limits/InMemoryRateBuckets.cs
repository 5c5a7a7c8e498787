using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// Token buckets in this process's memory (a singleton): with several hosts an owner's rate is at most the sum of theirs.
/// Used only where no storage is configured (<see cref="RateBucketsFactory"/>); beyond
/// <see cref="LimitsOptions.MaxTrackedOwners"/> buckets, the ones that have refilled completely are dropped.
/// </summary>
public sealed class InMemoryRateBuckets(IOptions<LimitsOptions> options, TimeProvider time) : IRateBuckets
{
    private readonly ConcurrentDictionary<(string Scope, string Owner), TokenBucket> buckets = new();

    /// <inheritdoc />
    public string Description => "in this host's memory only (no storage configured): each host has its own budget per owner";

    /// <inheritdoc />
    public bool IsShared => false;

    /// <inheritdoc />
    public Task<RateDecision> TryTakeAsync(string scope, string owner, RateLimit limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (buckets.Count >= options.Value.MaxTrackedOwners)
        {
            Forget(now);
        }

        var bucket = buckets.GetOrAdd((scope, owner), _ => new TokenBucket(limit.Burst, limit.RefillPerSecond, now));
        return Task.FromResult(bucket.TryTake(now, out var retryAfter) ? RateDecision.Admit : new RateDecision(false, retryAfter));
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, bucket) in buckets)
        {
            if (bucket.IsFull(now))
            {
                buckets.TryRemove(key, out _);
            }
        }
    }
}
