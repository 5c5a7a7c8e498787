using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>Both apps run under user-assigned managed identities and nothing secret is configured or output.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed partial class IdentityAndSecretsTests(CompiledInfrastructure infrastructure)
{
    [GeneratedRegex("key|secret|password|token|connectionstring|sas", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeName();

    [GeneratedRegex(@"\blist[A-Za-z]*\(|\.ConnectionString\b|primaryKey|AccountKey=", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeExpression();

    [Theory]
    [InlineData("Microsoft.Web/sites")]
    [InlineData("Microsoft.App/containerApps")]
    public void App_runs_under_a_user_assigned_identity_only(string type)
    {
        var app = Assert.Single(infrastructure.Template.DeployedResourcesOfType(type));
        var identity = app["identity"]!;

        Assert.Equal("UserAssigned", (string?)identity["type"]);
        Assert.Single(identity["userAssignedIdentities"]!.AsObject());
    }

    [Fact]
    public void No_output_at_any_level_is_secure_typed_secret_named_or_computed_from_keys()
    {
        var outputs = infrastructure.Template.AllOutputs().ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o =>
        {
            var type = ((string?)o.Output["type"] ?? "").ToLowerInvariant();
            Assert.DoesNotContain("secure", type);
            Assert.False(SecretLikeName().IsMatch(o.Name), $"output {o.Name} has a secret-like name");
            Assert.False(SecretLikeExpression().IsMatch(o.Output["value"]?.ToJsonString() ?? ""),
                $"output {o.Name} is computed from a key or connection string: {o.Output["value"]}");
        });
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Function_app_reaches_storage_by_identity_and_has_no_connection_strings(string environment)
    {
        var snapshot = infrastructure.Snapshot(environment);
        var settings = AppSettings(snapshot);
        var storageName = (string)snapshot.Single("Microsoft.Storage/storageAccounts")["name"]!;

        Assert.Equal(storageName, (string?)settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", (string?)settings["AzureWebJobsStorage__credential"]);
        Assert.False(string.IsNullOrEmpty((string?)settings["AzureWebJobsStorage__clientId"]));
        Assert.Equal(storageName, (string?)settings["Fc4d__Storage__AccountName"]);
        Assert.Contains("Authorization=AAD", (string?)settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);

        // No classic connection-string settings; none of the settings Flex Consumption rejects.
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Select(s => s.Key));
        Assert.DoesNotContain("Fc4d__Storage__ConnectionString", settings.Select(s => s.Key));
        foreach (var rejected in new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE" })
        {
            Assert.DoesNotContain(rejected, settings.Select(s => s.Key));
        }

        Assert.All(settings, s => Assert.DoesNotContain("AccountKey=", s.Value?.ToJsonString() ?? "", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Function_app_is_flex_consumption_with_identity_based_deployment_storage_and_no_basic_auth()
    {
        var snapshot = infrastructure.Snapshot("dev");
        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);

        var site = snapshot.Single("Microsoft.Web/sites")["properties"]!;
        Assert.True((bool)site["httpsOnly"]!);
        Assert.Equal("1.2", (string?)site["siteConfig"]!["minTlsVersion"]);
        var config = site["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("UserAssignedIdentity", (string?)config["deployment"]!["storage"]!["authentication"]!["type"]);

        var policies = snapshot.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Fact]
    public void Registry_and_monitoring_accept_entra_id_only()
    {
        var snapshot = infrastructure.Snapshot("dev");
        var registry = snapshot.Single("Microsoft.ContainerRegistry/registries")["properties"]!;
        Assert.False((bool)registry["adminUserEnabled"]!);
        Assert.False((bool)registry["anonymousPullEnabled"]!);

        Assert.True((bool)snapshot.Single("Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!);
        Assert.True((bool)snapshot.Single("Microsoft.OperationalInsights/workspaces")["properties"]!["features"]!["disableLocalAuth"]!);
    }

    [Fact]
    public void Worker_pulls_its_image_with_its_identity_not_a_registry_password()
    {
        var app = infrastructure.Snapshot("dev").Single("Microsoft.App/containerApps");
        var registry = Assert.Single(app["properties"]!["configuration"]!["registries"]!.AsArray())!;

        Assert.False(string.IsNullOrEmpty((string?)registry["identity"]));
        Assert.Null(registry["passwordSecretRef"]);
        Assert.Null(app["properties"]!["configuration"]!["secrets"]);
    }

    private static JsonObject AppSettings(ArmSnapshot snapshot) =>
        snapshot.OfType("Microsoft.Web/sites/config")
            .Single(c => ((string)c["name"]!).EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject();
}
