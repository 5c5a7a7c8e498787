using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// Configuration section <c>Fc4d:Limits</c>: how many runs an owner (and everyone together) may have going, and how
/// fast an owner may submit runs and evaluation batches. Each limit answers 429 with <c>Retry-After</c>. The active-run and
/// active-batch limits are counted in the durable store and the rate buckets are kept in Blob Storage
/// (<see cref="RateBuckets"/>), so every limit holds across hosts. (The same section holds the work budget's
/// <c>BudgetHeadroom</c>, <see cref="FaceCraft4D.Pipeline.Intake.WorkBudgetOptions"/>.)
/// </summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Fc4d:Limits";

    /// <summary>Runs of one owner that may be pending or running at once (counted in the durable store, so across hosts).</summary>
    [Range(1, 10_000)] public int MaxActiveRunsPerOwner { get; set; } = 3;

    /// <summary>Runs of all owners together that may be pending or running at once.</summary>
    [Range(1, 100_000)] public int MaxActiveRuns { get; set; } = 32;

    /// <summary>Submissions one owner may make in a burst (the token bucket's size).</summary>
    [Range(1, 10_000)] public int SubmissionBurst { get; set; } = 10;

    /// <summary>Submissions one owner may make per minute once the burst is spent (the bucket's refill rate).</summary>
    [Range(0.01, 100_000)] public double SubmissionsPerMinute { get; set; } = 10;

    /// <summary>Retry-After answered when an active-run limit is reached (a run's end cannot be predicted).</summary>
    public TimeSpan ActiveRunRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Owners whose token buckets are kept in memory; beyond this, buckets that have refilled completely are dropped.</summary>
    [Range(16, 10_000_000)] public int MaxTrackedOwners { get; set; } = 10_000;

    /// <summary>Where the rate buckets are kept: <c>Auto</c> (Blob Storage when storage is configured, else memory), <c>Storage</c>, <c>Memory</c>.</summary>
    public RateBucketStore RateBuckets { get; set; } = RateBucketStore.Auto;

    /// <summary>The hosts that share one rate budget in storage (default: the task hub's name; see <see cref="RateBucketsFactory.Partition"/>).</summary>
    public string? RateBucketPartition { get; set; }

    /// <summary>Conditional writes a stored rate bucket tries before it refuses the request (each lost one means another host took a token).</summary>
    [Range(1, 1000)] public int RateBucketMaxAttempts { get; set; } = 50;

    /// <summary>Evaluation batches one owner may start in a burst (<c>POST /api/evaluations</c>).</summary>
    [Range(1, 1000)] public int EvaluationBurst { get; set; } = 2;

    /// <summary>Evaluation batches one owner may start per minute once the burst is spent.</summary>
    [Range(0.01, 10_000)] public double EvaluationsPerMinute { get; set; } = 1;

    /// <summary>Evaluation batches of one owner that may be pending or running at once (counted in the durable store).</summary>
    [Range(1, 1000)] public int MaxActiveEvaluationsPerOwner { get; set; } = 1;

    /// <summary>Evaluation batches of all owners together that may be pending or running at once.</summary>
    [Range(1, 10_000)] public int MaxActiveEvaluations { get; set; } = 4;

    /// <summary>Images a set may hold for a batch started over HTTP by a caller who is not an operator (each image is an avatar run).</summary>
    [Range(1, 100_000)] public int MaxEvaluationImages { get; set; } = 50;
}
