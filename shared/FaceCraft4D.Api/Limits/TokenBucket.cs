namespace FaceCraft4D.Api.Limits;

/// <summary>
/// A token bucket in memory: holds up to <see cref="Capacity"/> tokens, refills at <see cref="RefillPerSecond"/>, and each
/// request takes one. Thread-safe; time comes from the caller (a <see cref="TimeProvider"/>), so it is testable. The
/// arithmetic is <see cref="TokenBucketState"/>'s.
/// </summary>
public sealed class TokenBucket(double capacity, double refillPerSecond, DateTimeOffset now)
{
    private readonly Lock gate = new();
    private readonly RateLimit limit = new(capacity, refillPerSecond * 60.0);
    private TokenBucketState state = new(capacity, now);

    /// <summary>Most tokens the bucket holds.</summary>
    public double Capacity { get; } = capacity;

    /// <summary>Tokens added per second.</summary>
    public double RefillPerSecond { get; } = refillPerSecond;

    /// <summary>Takes a token; when none is left, returns false and how long until one is there.</summary>
    public bool TryTake(DateTimeOffset now, out TimeSpan retryAfter)
    {
        lock (gate)
        {
            (state, var decision) = state.Take(limit, now);
            retryAfter = decision.RetryAfter;
            return decision.Admitted;
        }
    }

    /// <summary>True when the bucket has refilled completely (forgetting it changes nothing).</summary>
    public bool IsFull(DateTimeOffset now)
    {
        lock (gate)
        {
            return state.IsFullAt(limit, now);
        }
    }
}
