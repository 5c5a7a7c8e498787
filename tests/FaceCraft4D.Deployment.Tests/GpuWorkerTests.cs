using System.Text.Json.Nodes;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>The GPU worker runs on a serverless GPU profile, scales from zero and is probed on /healthz:8080.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class GpuWorkerTests(CompiledInfrastructure infrastructure)
{
    [Theory]
    [InlineData("dev", "Consumption-GPU-NC8as-T4", 8, "56Gi", 1)]
    [InlineData("prod", "Consumption-GPU-NC24-A100", 24, "220Gi", 4)]
    public void Worker_runs_on_the_environment_gpu_profile_sized_to_it(
        string environment, string profileType, int cpu, string memory, int maxReplicas)
    {
        var snapshot = infrastructure.Snapshot(environment);
        var profiles = snapshot.Single("Microsoft.App/managedEnvironments")["properties"]!["workloadProfiles"]!.AsArray()
            .Select(p => p!.AsObject()).ToList();
        var gpuProfile = Assert.Single(profiles, p => ((string)p["workloadProfileType"]!).StartsWith("Consumption-GPU-", StringComparison.Ordinal));
        Assert.Equal(profileType, (string?)gpuProfile["workloadProfileType"]);

        var worker = Worker(snapshot);
        var container = Assert.Single(worker["properties"]!["template"]!["containers"]!.AsArray())!;
        Assert.Equal(cpu, (int)container["resources"]!["cpu"]!);
        Assert.Equal(memory, (string?)container["resources"]!["memory"]);
        Assert.Equal(maxReplicas, (int)worker["properties"]!["template"]!["scale"]!["maxReplicas"]!);

        // The worker is placed on that profile (the name comes from the environment module's output).
        var compiledWorker = Assert.Single(infrastructure.Template.DeployedResourcesOfType("Microsoft.App/containerApps"));
        Assert.Contains("workloadProfileName", compiledWorker["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Compiled_template_only_allows_serverless_gpu_profiles_and_fixes_min_replicas_at_zero()
    {
        // Every template that takes the profile type (main and the environment module) constrains it, directly or
        // through an imported type definition ("$ref": "#/definitions/<type>").
        var constrained = infrastructure.Template.AllTemplates()
            .Where(t => t["parameters"]?["gpuWorkloadProfileType"] is not null)
            .Select(t =>
            {
                var parameter = t["parameters"]!["gpuWorkloadProfileType"]!;
                var reference = (string?)parameter["$ref"];
                return reference is null ? parameter : t["definitions"]![reference.Split('/')[^1]]!;
            })
            .ToList();
        Assert.Equal(2, constrained.Count);
        Assert.All(constrained, definition => Assert.Equal(["Consumption-GPU-NC24-A100", "Consumption-GPU-NC8as-T4"],
            definition["allowedValues"]!.AsArray().Select(v => (string)v!).Order()));

        var environment = Assert.Single(infrastructure.Template.DeployedResourcesOfType("Microsoft.App/managedEnvironments"));
        Assert.Contains(environment["properties"]!["workloadProfiles"]!.AsArray(),
            p => p!["workloadProfileType"]!.ToJsonString().Contains("gpuWorkloadProfileType", StringComparison.Ordinal));

        var worker = Assert.Single(infrastructure.Template.DeployedResourcesOfType("Microsoft.App/containerApps"));
        Assert.Equal(0, (int)worker["properties"]!["template"]!["scale"]!["minReplicas"]!);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Worker_scales_to_zero_on_http_concurrency(string environment)
    {
        var scale = Worker(infrastructure.Snapshot(environment))["properties"]!["template"]!["scale"]!;

        Assert.Equal(0, (int)scale["minReplicas"]!);
        var rule = Assert.Single(scale["rules"]!.AsArray())!;
        Assert.True(int.Parse((string)rule["http"]!["metadata"]!["concurrentRequests"]!) >= 1);
        // Idle GPU time after the last request is billed, but the orchestrator polls long jobs at most every 30 s.
        Assert.InRange((int)scale["cooldownPeriod"]!, 60, 900);
    }

    [Fact]
    public void Worker_is_probed_on_healthz_port_8080_and_is_reachable_only_inside_the_virtual_network()
    {
        var snapshot = infrastructure.Snapshot("dev");
        var worker = Worker(snapshot);
        var ingress = worker["properties"]!["configuration"]!["ingress"]!;
        Assert.Equal(8080, (int)ingress["targetPort"]!);
        Assert.False((bool)ingress["allowInsecure"]!);

        var probes = worker["properties"]!["template"]!["containers"]![0]!["probes"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.Equal(["Liveness", "Readiness", "Startup"], probes.Select(p => (string)p["type"]!).Order());
        Assert.All(probes, p =>
        {
            Assert.Equal("/healthz", (string?)p["httpGet"]!["path"]);
            Assert.Equal(8080, (int)p["httpGet"]!["port"]!);
        });

        var vnet = snapshot.Single("Microsoft.App/managedEnvironments")["properties"]!["vnetConfiguration"]!;
        Assert.True((bool)vnet["internal"]!);
    }

    [Fact]
    public void Worker_gets_the_configuration_names_shared_with_the_functions_app()
    {
        var env = Worker(infrastructure.Snapshot("prod"))["properties"]!["template"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => e!["value"]);

        Assert.Contains("AZURE_CLIENT_ID", env.Keys);
        Assert.Contains("Fc4d__Storage__AccountName", env.Keys);
        Assert.Equal("models", (string?)env["Fc4d__Models__Container"]);
        Assert.Equal("paper", (string?)env["Fc4d__Pipeline__Preset"]);
        Assert.DoesNotContain("Fc4d__Storage__ConnectionString", env.Keys);
    }

    [Fact]
    public void Function_app_calls_the_worker_through_the_private_network()
    {
        var snapshot = infrastructure.Snapshot("dev");
        var site = snapshot.Single("Microsoft.Web/sites")["properties"]!;
        Assert.False(string.IsNullOrEmpty((string?)site["virtualNetworkSubnetId"]));

        var zone = snapshot.Single("Microsoft.Network/privateDnsZones");
        Assert.Equal("global", (string?)zone["location"]);
        Assert.Single(snapshot.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks"));
        // The zone is named after the environment's default domain, known only at deployment: the record name stays
        // an expression '<zone>/*' in the snapshot.
        var wildcard = snapshot.Single("Microsoft.Network/privateDnsZones/A");
        Assert.Contains("'*')", (string)wildcard["name"]!, StringComparison.Ordinal);
        Assert.Contains("staticIp", wildcard["properties"]!["aRecords"]![0]!["ipv4Address"]!.ToJsonString(), StringComparison.Ordinal);
    }

    private static JsonObject Worker(ArmSnapshot snapshot) => snapshot.Single("Microsoft.App/containerApps");
}
