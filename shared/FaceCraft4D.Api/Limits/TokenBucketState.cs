namespace FaceCraft4D.Api.Limits;

/// <summary>
/// The value of a token bucket at a moment: <see cref="Tokens"/> left when it was last <see cref="Updated"/>. Immutable,
/// so the same arithmetic serves the in-memory buckets (under a lock) and the stored ones (read, take, conditional write).
/// A clock earlier than <see cref="Updated"/> (another host's, a little behind) refills nothing and never drains.
/// </summary>
/// <param name="Tokens">Tokens in the bucket (fractions accumulate).</param>
/// <param name="Updated">When <see cref="Tokens"/> was computed.</param>
public sealed record TokenBucketState(double Tokens, DateTimeOffset Updated)
{
    /// <summary>A full bucket at <paramref name="now"/>.</summary>
    public static TokenBucketState Full(RateLimit limit, DateTimeOffset now) => new(limit.Burst, now);

    /// <summary>The bucket refilled up to <paramref name="now"/>.</summary>
    public TokenBucketState RefilledAt(RateLimit limit, DateTimeOffset now) =>
        now > Updated
            ? new TokenBucketState(Math.Min(limit.Burst, Tokens + ((now - Updated).TotalSeconds * limit.RefillPerSecond)), now)
            : this with { Tokens = Math.Min(limit.Burst, Tokens) };

    /// <summary>Takes a token at <paramref name="now"/>: the bucket after, and whether it was taken (else the wait for the next one).</summary>
    public (TokenBucketState After, RateDecision Decision) Take(RateLimit limit, DateTimeOffset now)
    {
        var refilled = RefilledAt(limit, now);
        if (refilled.Tokens >= 1)
        {
            return (refilled with { Tokens = refilled.Tokens - 1 }, RateDecision.Admit);
        }

        return (refilled, new RateDecision(false, TimeSpan.FromSeconds((1 - refilled.Tokens) / limit.RefillPerSecond)));
    }

    /// <summary>True when the bucket has refilled completely by <paramref name="now"/> (forgetting it changes nothing).</summary>
    public bool IsFullAt(RateLimit limit, DateTimeOffset now) => RefilledAt(limit, now).Tokens >= limit.Burst;
}
