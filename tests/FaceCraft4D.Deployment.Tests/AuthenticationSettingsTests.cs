using System.Text.Json.Nodes;

namespace FaceCraft4D.Deployment.Tests;

/// <summary>
/// App Service authentication (authsettingsV2) in front of the Functions app, as the compiled templates would deploy it:
/// sign-in required, 401 (no login redirect) for API calls, Entra ID of the deployment tenant, and only the share-link
/// viewer and the upload trigger's Event Grid webhook (guarded by its system key) let through; the app trusts the
/// forwarded principal and takes upload owners from the path.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class AuthenticationSettingsTests(CompiledInfrastructure infrastructure)
{
    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_request_needs_an_entra_id_sign_in_except_the_share_link_viewer(string environment)
    {
        var auth = AuthSettings(infrastructure.Snapshot(environment));

        Assert.True((bool)auth["platform"]!["enabled"]!);
        var validation = auth["globalValidation"]!;
        Assert.True((bool)validation["requireAuthentication"]!);
        Assert.Equal("Return401", (string?)validation["unauthenticatedClientAction"]);
        Assert.Equal(["/api/viewer/*", "/runtime/webhooks/blobs"], validation["excludedPaths"]!.AsArray().Select(p => (string)p!).ToArray());
        Assert.True((bool)auth["httpSettings"]!["requireHttps"]!);
        Assert.False((bool)auth["login"]!["tokenStore"]!["enabled"]!);

        var entra = auth["identityProviders"]!["azureActiveDirectory"]!;
        // The snapshot leaves environment() unevaluated: the cloud's login endpoint, then the deployment tenant's v2.0 issuer.
        var issuer = (string?)entra["registration"]!["openIdIssuer"] ?? "";
        Assert.StartsWith("[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, ", issuer, StringComparison.Ordinal);
        Assert.True(issuer.Contains($"'{CompiledInfrastructure.TenantId}')]", StringComparison.Ordinal) || issuer.EndsWith("tenant().tenantId)]", StringComparison.Ordinal), issuer);
        var clientId = (string?)entra["registration"]!["clientId"] ?? "";
        Assert.Contains($"api://{clientId}", entra["validation"]!["allowedAudiences"]!.AsArray().Select(a => (string?)a));
        // No client id configured (as here): no provider, so nothing signs in and every API call stays 401.
        Assert.Equal(clientId.Length > 0, (bool)entra["enabled"]!);
    }

    [Fact]
    public void The_provider_is_enabled_exactly_when_a_client_id_is_given()
    {
        var site = infrastructure.Template.DeployedResourcesOfType("Microsoft.Web/sites/config")
            .Single(r => ((string?)r["name"])?.Contains("authsettingsV2", StringComparison.Ordinal) == true);

        Assert.Equal("[not(empty(parameters('authClientId')))]", (string?)site["properties"]!["identityProviders"]!["azureActiveDirectory"]!["enabled"]);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_app_trusts_the_platform_principal_and_takes_upload_owners_from_the_path(string environment)
    {
        var settings = infrastructure.Snapshot(environment).OfType("Microsoft.Web/sites/config")
            .Single(c => ((string)c["name"]!).EndsWith("/appsettings", StringComparison.Ordinal))["properties"]!.AsObject();

        Assert.Equal("true", (string?)settings["Fc4d__Auth__TrustPlatformPrincipal"]);
        Assert.Equal("true", (string?)settings["Fc4d__Api__UploadOwnerFromPath"]);
        Assert.False(settings.ContainsKey("Fc4d__Share__Key")); // no Key Vault secret configured here: no share links, and never a literal key
    }

    private static JsonObject AuthSettings(ArmSnapshot snapshot) =>
        snapshot.OfType("Microsoft.Web/sites/config")
            .Single(c => ((string)c["name"]!).EndsWith("/authsettingsV2", StringComparison.Ordinal))["properties"]!.AsObject();
}
