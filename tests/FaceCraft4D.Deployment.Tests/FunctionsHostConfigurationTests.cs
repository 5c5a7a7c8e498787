using System.Text.Json.Nodes;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// host.json configures the Durable Functions task hub the infrastructure expects, and local.settings.json.example
/// names the same settings the Function App receives in Azure (apart from the deliberate local/cloud differences).
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class FunctionsHostConfigurationTests(CompiledInfrastructure infrastructure)
{
    private static readonly JsonObject Host = Read("host.json");
    private static readonly JsonObject LocalSettings = Read("local.settings.json.example");

    // Only in Azure (identity-based) / only locally (Azurite connection string).
    // Platform authentication (and owners in upload paths) exist only behind App Service authentication in Azure;
    // storage and worker tokens are identity-based there.
    private static readonly string[] AzureOnly =
        ["Fc4d__Storage__AccountName", "Fc4d__Auth__TrustPlatformPrincipal", "Fc4d__Api__UploadOwnerFromPath", "Fc4d__GpuWorker__TokenScope"];
    private static readonly string[] LocalOnly = ["Fc4d__Storage__ConnectionString"];

    [Fact]
    public void Host_is_version_2_with_the_fc4d_task_hub_on_the_azure_storage_provider()
    {
        Assert.Equal("2.0", (string?)Host["version"]);
        var durable = Host["extensions"]!["durableTask"]!;
        Assert.Equal("fc4d", (string?)durable["hubName"]);
        Assert.Equal("AzureStorage", (string?)durable["storageProvider"]!["type"]);
        // The identity-based AzureWebJobsStorage__* settings of the Function App.
        Assert.Equal("AzureWebJobsStorage", (string?)durable["storageProvider"]!["connectionName"]);
        Assert.False((bool)durable["extendedSessionsEnabled"]!);
    }

    [Fact]
    public void Durable_concurrency_feeds_every_gpu_replica_without_flooding_an_instance()
    {
        var durable = Host["extensions"]!["durableTask"]!;
        var activities = (int)durable["maxConcurrentActivityFunctions"]!;
        var orchestrators = (int)durable["maxConcurrentOrchestratorFunctions"]!;

        // One Functions instance must be able to keep the largest (prod) GPU pool busy at its per-replica concurrency.
        var worker = infrastructure.Snapshot("prod").Single("Microsoft.App/containerApps")["properties"]!["template"]!["scale"]!;
        var http = worker["rules"]!.AsArray().Single(r => r!["http"] is not null)!;
        var gpuSlots = (int)worker["maxReplicas"]! * int.Parse((string)http["http"]!["metadata"]!["concurrentRequests"]!);
        Assert.InRange(activities, gpuSlots, 64);
        Assert.InRange(orchestrators, 1, activities);
    }

    [Fact]
    public void Host_timeout_and_log_levels_are_set()
    {
        var timeout = TimeSpan.Parse((string)Host["functionTimeout"]!);
        Assert.InRange(timeout, TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));
        var levels = Host["logging"]!["logLevel"]!.AsObject();
        Assert.Equal("Warning", (string?)levels["DurableTask.AzureStorage"]);
        Assert.Equal("Information", (string?)levels["default"]);
    }

    [Fact]
    public void Local_settings_run_the_isolated_worker_against_azurite()
    {
        var values = LocalSettings["Values"]!;
        Assert.Equal("dotnet-isolated", (string?)values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", (string?)values["AzureWebJobsStorage"]);
        Assert.Equal("UseDevelopmentStorage=true", (string?)values["Fc4d__Storage__ConnectionString"]);
        Assert.Contains((string?)values["Fc4d__Pipeline__Preset"], new[] { "preview", "paper" });
    }

    [Fact]
    public void Local_and_azure_settings_name_the_same_pipeline_configuration()
    {
        static bool IsPipelineSetting(string name) => name.StartsWith("Fc4d", StringComparison.Ordinal);

        var local = LocalSettings["Values"]!.AsObject().Select(v => v.Key).Where(IsPipelineSetting).Except(LocalOnly).Order();
        var azure = infrastructure.Snapshot("dev").OfType("Microsoft.Web/sites/config")
            .Single(c => ((string)c["name"]!).EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject()
            .Select(s => s.Key).Where(IsPipelineSetting).Except(AzureOnly).Order();

        Assert.Equal(azure, local);
    }

    [Fact]
    public void The_real_local_settings_file_stays_out_of_git()
    {
        var ignored = File.ReadAllLines(Path.Combine(RepositoryLayout.Root, ".gitignore")).Select(l => l.Trim());
        Assert.Contains("local.settings.json", ignored);
    }

    private static JsonObject Read(string fileName) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.FunctionsProjectDirectory, fileName)))!.AsObject();
}
