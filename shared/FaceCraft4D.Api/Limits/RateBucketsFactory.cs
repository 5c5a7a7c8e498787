using FaceCraft4D.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Limits;

/// <summary>Where the per-owner rate buckets are kept (<see cref="LimitsOptions.RateBuckets"/>).</summary>
public enum RateBucketStore
{
    /// <summary>Blob Storage when storage is configured (a connection string or an account), else memory.</summary>
    Auto,

    /// <summary>Blob Storage (<see cref="BlobRateBuckets"/>), shared by every host.</summary>
    Storage,

    /// <summary>This process's memory (<see cref="InMemoryRateBuckets"/>): each host has its own budget.</summary>
    Memory,
}

/// <summary>Chooses the <see cref="IRateBuckets"/> of a host from <see cref="LimitsOptions.RateBuckets"/> and the storage options.</summary>
public static class RateBucketsFactory
{
    /// <summary>The buckets for this host's configuration.</summary>
    public static IRateBuckets Create(IServiceProvider services)
    {
        var choice = services.GetRequiredService<IOptions<LimitsOptions>>().Value.RateBuckets;
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var shared = choice == RateBucketStore.Storage
                     || (choice == RateBucketStore.Auto && (!string.IsNullOrWhiteSpace(storage.ConnectionString) || storage.ResolveBlobServiceUri() is not null));
        return shared
            ? ActivatorUtilities.CreateInstance<BlobRateBuckets>(services)
            : ActivatorUtilities.CreateInstance<InMemoryRateBuckets>(services);
    }
}
