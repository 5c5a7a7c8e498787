using System.Security.Cryptography;
using System.Text;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Limits;

/// <summary>
/// Token buckets in Blob Storage, so a per-owner rate holds across hosts and instances: one small blob per (scope, owner),
/// <c>limits/{partition}/{scope}/{sha256(owner)[..32]}.json</c> (<see cref="StoredRateBucket"/>), updated by read-modify-write on
/// condition of the version read (ETag If-Match; If-None-Match for a new bucket). A write refused because another host
/// took a token meanwhile (412) is retried from a fresh read, so concurrent takes never admit more than the bucket held.
/// After <see cref="LimitsOptions.RateBucketMaxAttempts"/> lost races the request is refused for a second (never admitted
/// unchecked). The container is created on first use. The <paramref name="partition"/> is the deployment the budget belongs
/// to (<see cref="RateBucketsFactory.Partition"/>: the hosts of one task hub share it; another task hub on the same storage
/// account, e.g. a second local stack or a test, has its own).
/// </summary>
public sealed class BlobRateBuckets(
    IBlobStore blobs, IOptions<LimitsOptions> options, TimeProvider time, ILogger<BlobRateBuckets> logger, string partition = RateBucketsFactory.DefaultPartition)
    : IRateBuckets
{
    /// <summary>The container of the buckets.</summary>
    public const string Container = "limits";

    private Task? containerReady;

    /// <inheritdoc />
    public string Description => $"in Blob Storage (container '{Container}', partition '{partition}', one ETag-conditional record per owner): shared by every host";

    /// <inheritdoc />
    public bool IsShared => true;

    /// <inheritdoc />
    public async Task<RateDecision> TryTakeAsync(string scope, string owner, RateLimit limit, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var blob = BucketBlob(partition, scope, owner);
        var attempts = Math.Max(1, options.Value.RateBucketMaxAttempts);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var stored = await blobs.TryReadVersionedAsync(blob, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var state = stored?.Content.ToObjectFromJson<StoredRateBucket>(ContractJson.Options) is { } record
                ? new TokenBucketState(record.Tokens, record.Updated)
                : TokenBucketState.Full(limit, now);
            var (after, decision) = state.Take(limit, now);
            if (!decision.Admitted)
            {
                return decision; // nothing to write: a refusal takes no token
            }

            var content = BinaryData.FromObjectAsJson(new StoredRateBucket(owner, scope, after.Tokens, after.Updated), ContractJson.Options);
            if (await blobs.TryWriteIfVersionAsync(blob, content, "application/json", stored?.Version, cancellationToken).ConfigureAwait(false) is not null)
            {
                return decision;
            }

            // Another host (or request) took a token first: read again after a short random pause (real time: it only spreads contenders).
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 + (10 * Math.Min(attempt, 10)))), cancellationToken).ConfigureAwait(false);
        }

        logger.LogWarning("Rate bucket {Scope}/{Owner}: {Attempts} conditional writes lost to concurrent requests; refusing this one", scope, owner, attempts);
        return new RateDecision(false, TimeSpan.FromSeconds(1));
    }

    /// <summary>Creates the container once; a failed attempt (storage briefly unreachable) is tried again by the next request.</summary>
    private Task EnsureContainerAsync()
    {
        var ready = Volatile.Read(ref containerReady);
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
        {
            ready = blobs.EnsureContainersAsync([Container], CancellationToken.None);
            Volatile.Write(ref containerReady, ready);
        }

        return ready;
    }

    /// <summary>The blob of <paramref name="owner"/>'s bucket of <paramref name="scope"/> (the owner hashed: any id is a safe name).</summary>
    public static BlobRef BucketBlob(string partition, string scope, string owner) =>
        new(Container, $"{partition}/{scope}/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(owner)))[..32]}.json");
}

/// <summary>A stored token bucket (<see cref="BlobRateBuckets"/>).</summary>
/// <param name="Owner">Whose bucket it is.</param>
/// <param name="Scope">What it limits (<c>runs</c>, <c>evaluations</c>).</param>
/// <param name="Tokens">Tokens left at <paramref name="Updated"/>.</param>
/// <param name="Updated">When the tokens were computed.</param>
public sealed record StoredRateBucket(string Owner, string Scope, double Tokens, DateTimeOffset Updated);
