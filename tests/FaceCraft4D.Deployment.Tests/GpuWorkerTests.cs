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
    public void Worker_scales_from_zero_on_the_depth_of_its_jobs_queue_read_with_its_own_identity(string environment)
    {
        var snapshot = infrastructure.Snapshot(environment);
        var worker = Worker(snapshot);
        var scale = worker["properties"]!["template"]!["scale"]!;

        Assert.Equal(0, (int)scale["minReplicas"]!);
        var rules = scale["rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var queue = Assert.Single(rules, r => r["azureQueue"] is not null)["azureQueue"]!;
        Assert.Equal("worker-jobs", (string?)queue["queueName"]);
        Assert.Equal((string?)snapshot.Single("Microsoft.Storage/storageAccounts")["name"], (string?)queue["accountName"]);
        Assert.Contains("workerIdentity", (string)queue["identity"]!, StringComparison.Ordinal); // managed identity, no connection secret
        Assert.Null(queue["auth"]);
        var env = Environment(worker);
        Assert.Equal((int)queue["queueLength"]!, int.Parse((string)env["Fc4d__Worker__MaxConcurrentJobs"]!)); // one replica per this many held jobs
        Assert.Equal("worker-jobs", (string?)env["Fc4d__Worker__JobQueue__Name"]);
        // HTTP concurrency only wakes the app from zero (the queue is empty until a worker accepts a job); it is not what keeps replicas.
        var wake = Assert.Single(rules, r => r["http"] is not null);
        Assert.Equal(2, rules.Count);
        Assert.True(int.Parse((string)wake["http"]!["metadata"]!["concurrentRequests"]!) >= 1);
        // Idle GPU time after the last held job is billed, but the orchestrator polls long jobs at most every 30 s.
        Assert.InRange((int)scale["cooldownPeriod"]!, 60, 900);

        // The queue exists and only the worker identity may send and delete its messages.
        Assert.Contains(snapshot.OfType("Microsoft.Storage/storageAccounts/queueServices/queues"), q => ((string)q["name"]!).EndsWith("/worker-jobs", StringComparison.Ordinal));
        var grant = Assert.Single(snapshot.OfType("Microsoft.Authorization/roleAssignments"), a => ((string)a["id"]!).Contains("/queues/worker-jobs", StringComparison.Ordinal));
        Assert.EndsWith("974c5e8b-45b9-4653-ba55-5f855dd0fb88", (string)grant["properties"]!["roleDefinitionId"]!, StringComparison.Ordinal);
        Assert.Contains("workerIdentity", (string)grant["properties"]!["principalId"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Scale_in_grace_period_covers_the_workers_shutdown_wait()
    {
        // The worker waits up to 90 s (Fc4d:Worker:ShutdownTimeout) for its jobs' 60 s cancel-save; the platform must wait longer.
        var template = Worker(infrastructure.Snapshot("prod"))["properties"]!["template"]!;
        Assert.InRange((int)template["terminationGracePeriodSeconds"]!, 120, 600);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Worker_requires_an_entra_token_of_the_function_apps_identity_validated_by_container_apps(string environment)
    {
        var snapshot = infrastructure.Snapshot(environment);
        var auth = snapshot.Single("Microsoft.App/containerApps/authConfigs")["properties"]!;

        Assert.True((bool)auth["platform"]!["enabled"]!);
        Assert.Equal("Return401", (string?)auth["globalValidation"]!["unauthenticatedClientAction"]);
        Assert.Equal(["/healthz"], auth["globalValidation"]!["excludedPaths"]!.AsArray().Select(p => (string)p!));
        Assert.True((bool)auth["httpSettings"]!["requireHttps"]!);
        var entra = auth["identityProviders"]!["azureActiveDirectory"]!;
        Assert.True((bool)entra["enabled"]!);
        var apiClientId = (string)entra["registration"]!["clientId"]!;
        Assert.Matches("^[0-9a-f-]{36}$", apiClientId);
        Assert.Contains(CompiledInfrastructure.TenantId, (string)entra["registration"]!["openIdIssuer"]!, StringComparison.Ordinal);
        Assert.Contains($"api://{apiClientId}", entra["validation"]!["allowedAudiences"]!.AsArray().Select(a => (string)a!));
        var policy = entra["validation"]!["defaultAuthorizationPolicy"]!;
        Assert.Contains("functionIdentity", (string)Assert.Single(policy["allowedApplications"]!.AsArray())!, StringComparison.Ordinal);
        Assert.Contains("functionIdentity", (string)Assert.Single(policy["allowedPrincipals"]!["identities"]!.AsArray())!, StringComparison.Ordinal);
        Assert.DoesNotContain("clientSecretSettingName", entra["registration"]!.AsObject().Select(p => p.Key)); // validation only: no secret

        // The worker trusts the platform's principal header only for the same client id.
        var env = Environment(Worker(snapshot));
        Assert.Equal("ContainerApps", (string?)env["Fc4d__Worker__Auth__Mode"]);
        Assert.Contains("functionIdentity", (string)env["Fc4d__Worker__Auth__AllowedClientIds__0"]!, StringComparison.Ordinal);

        // The Function app asks its managed identity for a token of the same registration (the worker module's output).
        var settings = snapshot.OfType("Microsoft.Web/sites/config").Select(c => c["properties"]!.AsObject())
            .Single(p => p.ContainsKey("Fc4d__GpuWorker__BaseUrl"));
        Assert.Contains("outputs.apiScope", (string)settings["Fc4d__GpuWorker__TokenScope"]!, StringComparison.Ordinal);
        var workerModule = infrastructure.Template.AllTemplates().Single(t => t["outputs"]?["apiScope"] is not null);
        Assert.Contains("api://", workerModule["outputs"]!["apiScope"]!["value"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("/.default", workerModule["outputs"]!["apiScope"]!["value"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Worker_ingress_admits_only_the_function_apps_subnet(string environment)
    {
        var ingress = Worker(infrastructure.Snapshot(environment))["properties"]!["configuration"]!["ingress"]!;
        var rules = ingress["ipSecurityRestrictions"]!.AsArray().Select(r => r!.AsObject()).ToList();

        var rule = Assert.Single(rules);
        Assert.Equal("Allow", (string?)rule["action"]); // allow rules only: every other source is denied
        Assert.Contains("functionsSubnetPrefix", (string)rule["ipAddressRange"]!, StringComparison.Ordinal);
        // ... which is the Functions subnet's own range (network module output).
        var network = infrastructure.Template.AllTemplates().Single(t => t["outputs"]?["functionsSubnetPrefix"] is not null);
        Assert.Contains("functionsSubnetPrefix", network["outputs"]!["functionsSubnetPrefix"]!["value"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("10.40.2.0/24", (string?)network["parameters"]!["functionsSubnetPrefix"]!["defaultValue"]);
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

    private static Dictionary<string, JsonNode?> Environment(JsonObject worker) =>
        worker["properties"]!["template"]!["containers"]![0]!["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!["value"]);
}
