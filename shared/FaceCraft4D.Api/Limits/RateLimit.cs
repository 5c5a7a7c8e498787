namespace FaceCraft4D.Api.Limits;

/// <summary>A per-owner rate: a token bucket of <see cref="Burst"/> tokens refilled at <see cref="PerMinute"/>.</summary>
/// <param name="Burst">Requests an owner may make at once (the bucket's size).</param>
/// <param name="PerMinute">Requests per minute once the burst is spent (the refill rate).</param>
public readonly record struct RateLimit(double Burst, double PerMinute)
{
    /// <summary>Tokens added per second.</summary>
    public double RefillPerSecond => PerMinute / 60.0;
}

/// <summary>The answer of a rate limit: admitted, or refused with the wait until the next token.</summary>
/// <param name="Admitted">True when a token was taken.</param>
/// <param name="RetryAfter">Zero when admitted; otherwise how long until a token is there.</param>
public readonly record struct RateDecision(bool Admitted, TimeSpan RetryAfter)
{
    /// <summary>An admission.</summary>
    public static RateDecision Admit { get; } = new(true, TimeSpan.Zero);
}
