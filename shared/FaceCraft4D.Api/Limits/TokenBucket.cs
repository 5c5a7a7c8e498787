namespace FaceCraft4D.Api.Limits;

/// <summary>
/// A token bucket: holds up to <see cref="Capacity"/> tokens, refills at <see cref="RefillPerSecond"/>, and each
/// submission takes one. Thread-safe; time comes from the caller (a <see cref="TimeProvider"/>), so it is testable.
/// </summary>
public sealed class TokenBucket(double capacity, double refillPerSecond, DateTimeOffset now)
{
    private readonly Lock gate = new();
    private double tokens = capacity;
    private DateTimeOffset updated = now;

    /// <summary>Most tokens the bucket holds.</summary>
    public double Capacity { get; } = capacity;

    /// <summary>Tokens added per second.</summary>
    public double RefillPerSecond { get; } = refillPerSecond;

    /// <summary>Takes a token; when none is left, returns false and how long until one is there.</summary>
    public bool TryTake(DateTimeOffset now, out TimeSpan retryAfter)
    {
        lock (gate)
        {
            Refill(now);
            if (tokens >= 1)
            {
                tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - tokens) / RefillPerSecond);
            return false;
        }
    }

    /// <summary>True when the bucket has refilled completely (forgetting it changes nothing).</summary>
    public bool IsFull(DateTimeOffset now)
    {
        lock (gate)
        {
            Refill(now);
            return tokens >= Capacity;
        }
    }

    private void Refill(DateTimeOffset now)
    {
        if (now > updated)
        {
            tokens = Math.Min(Capacity, tokens + ((now - updated).TotalSeconds * RefillPerSecond));
            updated = now;
        }
    }
}
