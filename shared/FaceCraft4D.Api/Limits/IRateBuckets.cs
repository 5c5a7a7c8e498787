namespace FaceCraft4D.Api.Limits;

/// <summary>
/// Per-owner token buckets, one per (scope, owner): where they are kept decides whether a limit holds across hosts.
/// <see cref="BlobRateBuckets"/> keeps them in Blob Storage (every host and instance shares one budget per owner);
/// <see cref="InMemoryRateBuckets"/> in this process only (the fallback where no storage is configured).
/// </summary>
public interface IRateBuckets
{
    /// <summary>Where the buckets are kept, in words (logged at start-up).</summary>
    string Description { get; }

    /// <summary>True when every host sees the same buckets.</summary>
    bool IsShared { get; }

    /// <summary>Takes a token from <paramref name="owner"/>'s bucket of <paramref name="scope"/> (e.g. <c>runs</c>), filled per <paramref name="limit"/>.</summary>
    Task<RateDecision> TryTakeAsync(string scope, string owner, RateLimit limit, CancellationToken cancellationToken);
}
