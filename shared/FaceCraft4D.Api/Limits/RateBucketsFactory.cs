using FaceCraft4D.Storage;
using Microsoft.Extensions.Configuration;
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
    /// <summary>The partition of hosts that name none (and no task hub): every Functions instance of one deployment.</summary>
    public const string DefaultPartition = "default";

    /// <summary>
    /// Which hosts share a budget: <see cref="LimitsOptions.RateBucketPartition"/> when set, else the local host's task hub
    /// (<c>Fc4d:Durable:TaskHubName</c>: hosts of one task hub are one deployment), else <see cref="DefaultPartition"/>.
    /// Lower-cased; anything but letters, digits and '-' becomes '-'.
    /// </summary>
    public static string Partition(LimitsOptions options, IConfiguration? configuration)
    {
        var name = options.RateBucketPartition ?? configuration?["Fc4d:Durable:TaskHubName"];
        if (string.IsNullOrWhiteSpace(name))
        {
            return DefaultPartition;
        }

        var safe = new string(name.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').Take(63).ToArray());
        return safe.Length == 0 ? DefaultPartition : safe;
    }

    /// <summary>The buckets for this host's configuration.</summary>
    public static IRateBuckets Create(IServiceProvider services, IConfiguration? configuration)
    {
        var limits = services.GetRequiredService<IOptions<LimitsOptions>>().Value;
        var choice = limits.RateBuckets;
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var shared = choice == RateBucketStore.Storage
                     || (choice == RateBucketStore.Auto && (!string.IsNullOrWhiteSpace(storage.ConnectionString) || storage.ResolveBlobServiceUri() is not null));
        return shared
            ? ActivatorUtilities.CreateInstance<BlobRateBuckets>(services, Partition(limits, configuration ?? services.GetService<IConfiguration>()))
            : ActivatorUtilities.CreateInstance<InMemoryRateBuckets>(services);
    }
}
