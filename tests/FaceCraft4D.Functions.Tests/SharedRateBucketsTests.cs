using FaceCraft4D.Api;
using FaceCraft4D.Api.Limits;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Per-owner rate buckets kept in Blob Storage (a real Azurite): two limiter instances, each with its own storage client
/// as two hosts would have, draw on one budget per owner, and concurrent takes never admit more than the bucket held.
/// </summary>
public sealed class SharedRateBucketsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>A bucket that does not refill during the test (one token per 100 minutes).</summary>
    private static readonly RateLimit Slow = new(Burst: 5, PerMinute: 0.01);

    [Fact]
    public async Task Two_hosts_share_one_budget_per_owner()
    {
        var (a, b) = (Host(), Host());

        var taken = new List<bool>();
        foreach (var host in new[] { a, a, a, b, b })
        {
            taken.Add((await host.TryTakeAsync("runs", "alice-shared", Slow, default)).Admitted);
        }

        var refusedAtA = await a.TryTakeAsync("runs", "alice-shared", Slow, default);
        var refusedAtB = await b.TryTakeAsync("runs", "alice-shared", Slow, default);
        var bob = await b.TryTakeAsync("runs", "bob-shared", Slow, default);
        var aliceEvaluations = await a.TryTakeAsync("evaluations", "alice-shared", Slow, default);

        Assert.All(taken, Assert.True);
        Assert.False(refusedAtA.Admitted);
        Assert.False(refusedAtB.Admitted);
        Assert.InRange(refusedAtB.RetryAfter.TotalMinutes, 90, 100.01); // the next token, one per 100 minutes
        Assert.True(bob.Admitted); // another owner has their own bucket
        Assert.True(aliceEvaluations.Admitted); // and another scope another one
        Assert.True((await Host("another-deployment").TryTakeAsync("runs", "alice-shared", Slow, default)).Admitted); // and another task hub another one
    }

    [Fact]
    public async Task Concurrent_takes_from_two_hosts_never_over_admit()
    {
        var hosts = new[] { Host(), Host() };
        var limit = new RateLimit(Burst: 8, PerMinute: 0.01);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => hosts[i % 2].TryTakeAsync("runs", "carol-concurrent", limit, default))));

        Assert.Equal(8, decisions.Count(d => d.Admitted));
        Assert.All(decisions.Where(d => !d.Admitted), d => Assert.True(d.RetryAfter > TimeSpan.Zero));
    }

    [Fact]
    public void Storage_configured_means_shared_buckets_and_none_means_this_hosts_memory()
    {
        Assert.IsType<BlobRateBuckets>(Resolve(new() { ["Fc4d:Storage:ConnectionString"] = azurite.ConnectionString }));
        Assert.IsType<BlobRateBuckets>(Resolve(new() { ["Fc4d:Storage:AccountName"] = "fc4dstore" }));
        Assert.IsType<InMemoryRateBuckets>(Resolve(new()));
        Assert.IsType<InMemoryRateBuckets>(Resolve(new() { ["Fc4d:Storage:ConnectionString"] = azurite.ConnectionString, ["Fc4d:Limits:RateBuckets"] = "Memory" }));
        Assert.True(Resolve(new() { ["Fc4d:Storage:AccountName"] = "fc4dstore" }).IsShared);
        Assert.Contains("partition 'burst'", Resolve(new() { ["Fc4d:Storage:AccountName"] = "s", ["Fc4d:Durable:TaskHubName"] = "Burst" }).Description);
        Assert.Contains("partition 'default'", Resolve(new() { ["Fc4d:Storage:AccountName"] = "s" }).Description);
        Assert.Contains("partition 'team-a'", Resolve(new() { ["Fc4d:Storage:AccountName"] = "s", ["Fc4d:Limits:RateBucketPartition"] = "team a" }).Description);
    }

    /// <summary>One host's buckets: its own client of the same storage account.</summary>
    private BlobRateBuckets Host(string partition = "shared-test") =>
        new(azurite.CreateBlobStore(), Options.Create(new LimitsOptions()), TimeProvider.System, NullLogger<BlobRateBuckets>.Instance, partition);

    private static IRateBuckets Resolve(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IBlobStore>(new InMemoryBlobStore());
        services.AddFc4dApi(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IRateBuckets>();
    }
}
