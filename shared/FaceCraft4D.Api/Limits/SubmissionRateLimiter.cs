using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// The per-owner submission rate limit: one <see cref="TokenBucket"/> per owner (<see cref="LimitsOptions.SubmissionBurst"/>
/// tokens, refilled at <see cref="LimitsOptions.SubmissionsPerMinute"/>). Held in memory by each host (a singleton), so
/// with several hosts an owner's rate is at most the sum of theirs; the active-run limits are the cross-host bound.
/// </summary>
public sealed class SubmissionRateLimiter(IOptions<LimitsOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TokenBucket> buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a submission token of <paramref name="owner"/>; false (with the wait until the next token) when there is none.</summary>
    public bool TryAcquire(string owner, out TimeSpan retryAfter)
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        if (buckets.Count >= limits.MaxTrackedOwners)
        {
            Forget(now);
        }

        var bucket = buckets.GetOrAdd(owner, _ => new TokenBucket(limits.SubmissionBurst, limits.SubmissionsPerMinute / 60.0, now));
        return bucket.TryTake(now, out retryAfter);
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (owner, bucket) in buckets)
        {
            if (bucket.IsFull(now))
            {
                buckets.TryRemove(owner, out _);
            }
        }
    }
}
