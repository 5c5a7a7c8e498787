using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// Configuration section <c>Fc4d:Limits</c>: how many runs an owner (and everyone together) may have going, and how
/// fast an owner may submit. Each limit answers 429 with <c>Retry-After</c>. (The same section holds the work budget's
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
}
