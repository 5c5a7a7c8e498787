using System.Text.Json.Nodes;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>The storage account is Entra-ID-only, private and TLS 1.2+, holds the pipeline's containers and expires old runs.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class StorageSecurityTests(CompiledInfrastructure infrastructure)
{
    private static readonly string[] PipelineContainers = ["uploads", "uploads-rejected", "runs", "avatars", "models", "eval", "limits"];

    [Fact]
    public void Compiled_storage_account_disables_shared_keys_and_public_blobs_and_requires_tls12()
    {
        var account = Assert.Single(infrastructure.Template.DeployedResourcesOfType("Microsoft.Storage/storageAccounts"));
        var properties = account["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.True((bool)properties["defaultToOAuthAuthentication"]!);
        Assert.False((bool)properties["allowCrossTenantReplication"]!);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_container_is_private_and_the_pipeline_containers_exist(string environment)
    {
        var containers = infrastructure.Snapshot(environment)
            .OfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        var names = containers.Select(c => ((string)c["name"]!).Split('/')[^1]).ToList();

        Assert.All(PipelineContainers, expected => Assert.Contains(expected, names));
        Assert.All(containers, c => Assert.Equal("None", (string?)c["properties"]!["publicAccess"]));
    }

    [Theory]
    [InlineData("dev", 7, 7)]
    [InlineData("prod", 30, 30)]
    public void Lifecycle_policy_deletes_old_run_data_and_uploads_but_never_avatars_or_models(
        string environment, int runsDays, int uploadsDays)
    {
        var policy = infrastructure.Snapshot(environment).Single("Microsoft.Storage/storageAccounts/managementPolicies");
        var rules = policy["properties"]!["policy"]!["rules"]!.AsArray().Select(r => r!.AsObject()).ToList();

        Assert.Equal(runsDays, DeleteAfterDays(rules, "runs/"));
        Assert.Equal(uploadsDays, DeleteAfterDays(rules, "uploads/"));
        Assert.Equal(uploadsDays, DeleteAfterDays(rules, "uploads-rejected/"));
        var prefixes = rules.SelectMany(r => r["definition"]!["filters"]!["prefixMatch"]!.AsArray().Select(p => (string)p!)).ToList();
        Assert.DoesNotContain(prefixes, p => p.StartsWith("avatars", StringComparison.Ordinal) || p.StartsWith("models", StringComparison.Ordinal));
    }

    [Fact]
    public void Prod_storage_is_zone_redundant()
    {
        var account = infrastructure.Snapshot("prod").Single("Microsoft.Storage/storageAccounts");
        Assert.Equal("Standard_ZRS", (string?)account["sku"]!["name"]);
    }

    private static int DeleteAfterDays(IEnumerable<JsonObject> rules, string prefix)
    {
        var rule = Assert.Single(rules, r => r["enabled"]!.GetValue<bool>() &&
            r["definition"]!["filters"]!["prefixMatch"]!.AsArray().Any(p => (string?)p == prefix));
        return (int)rule["definition"]!["actions"]!["baseBlob"]!["delete"]!["daysAfterModificationGreaterThan"]!;
    }
}
