using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// The per-owner submission rate limits, over the host's <see cref="IRateBuckets"/> (shared across hosts when storage is
/// configured): avatar runs (<c>POST /api/avatars</c>: <see cref="LimitsOptions.SubmissionBurst"/>,
/// <see cref="LimitsOptions.SubmissionsPerMinute"/>) and evaluation batches (<c>POST /api/evaluations</c>:
/// <see cref="LimitsOptions.EvaluationBurst"/>, <see cref="LimitsOptions.EvaluationsPerMinute"/>), each its own bucket.
/// </summary>
public sealed class SubmissionRateLimiter(IRateBuckets buckets, IOptions<LimitsOptions> options)
{
    /// <summary>Bucket scope of avatar run submissions.</summary>
    public const string RunsScope = "runs";

    /// <summary>Bucket scope of evaluation batch submissions.</summary>
    public const string EvaluationsScope = "evaluations";

    /// <summary>Takes a run submission token of <paramref name="owner"/>.</summary>
    public Task<RateDecision> TryAcquireRunAsync(string owner, CancellationToken cancellationToken) =>
        buckets.TryTakeAsync(RunsScope, owner, new RateLimit(options.Value.SubmissionBurst, options.Value.SubmissionsPerMinute), cancellationToken);

    /// <summary>Takes an evaluation batch token of <paramref name="owner"/>.</summary>
    public Task<RateDecision> TryAcquireEvaluationAsync(string owner, CancellationToken cancellationToken) =>
        buckets.TryTakeAsync(EvaluationsScope, owner, new RateLimit(options.Value.EvaluationBurst, options.Value.EvaluationsPerMinute), cancellationToken);
}
