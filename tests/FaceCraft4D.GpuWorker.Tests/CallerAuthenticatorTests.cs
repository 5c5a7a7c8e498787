using System.Text;
using System.Text.Json;
using FaceCraft4D.GpuWorker.Security;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>The two ways a caller is admitted: the local stack's shared key, and Container Apps' validated principal.</summary>
public sealed class CallerAuthenticatorTests
{
    private const string FunctionApp = "5f6b8c1e-0000-4000-8000-00000000f001";
    private const string Stranger = "5f6b8c1e-0000-4000-8000-00000000bad0";

    [Theory]
    [InlineData(null, false)]
    [InlineData("Bearer", false)]
    [InlineData("Basic a2V5Ojo=", false)]
    [InlineData("Bearer not-the-key-but-just-as-long-as-it-0000000", false)]
    [InlineData("Bearer 0123456789abcdef0123456789abcdef-key", true)]
    [InlineData("bearer 0123456789abcdef0123456789abcdef-key", true)]
    public void Shared_key_admits_only_its_exact_bearer_key(string? authorization, bool admitted)
    {
        var authenticator = new SharedKeyAuthenticator("0123456789abcdef0123456789abcdef-key");

        Assert.Equal(admitted, authenticator.Refusal(Http(authorization: authorization)) is null);
    }

    [Fact]
    public void Container_apps_principal_admits_the_function_apps_client_id_only()
    {
        var authenticator = new ContainerAppsPrincipalAuthenticator([FunctionApp]);

        Assert.Null(authenticator.Refusal(Http(principal: Principal(("appid", FunctionApp.ToUpperInvariant())))));
        Assert.Null(authenticator.Refusal(Http(principal: Principal(("azp", FunctionApp)))));
        Assert.NotNull(authenticator.Refusal(Http(principal: Principal(("appid", Stranger)))));
        Assert.NotNull(authenticator.Refusal(Http(principal: Principal(("oid", FunctionApp))))); // not a client id claim
        Assert.NotNull(authenticator.Refusal(Http(principal: "not base64 !")));
        Assert.NotNull(authenticator.Refusal(Http(principal: Convert.ToBase64String("{\"claims\":7}"u8))));
        // No principal: the platform did not authenticate the request (or it came around it); a bearer token alone is not checked here.
        Assert.NotNull(authenticator.Refusal(Http(authorization: "Bearer eyJhbGciOi.fake.token")));
    }

    [Fact]
    public void Options_without_a_mode_key_or_allowed_client_are_rejected_with_the_reason()
    {
        Assert.Contains("Mode", new WorkerAuthOptions().Problem(), StringComparison.Ordinal);
        Assert.Contains("SharedKey", new WorkerAuthOptions { Mode = WorkerAuthMode.SharedKey, SharedKey = "short" }.Problem(), StringComparison.Ordinal);
        Assert.Contains("AllowedClientIds", new WorkerAuthOptions { Mode = WorkerAuthMode.ContainerApps, AllowedClientIds = [" "] }.Problem(), StringComparison.Ordinal);
        Assert.Null(new WorkerAuthOptions { Mode = WorkerAuthMode.ContainerApps, AllowedClientIds = [FunctionApp] }.Problem());
    }

    private static string Principal(params (string Type, string Value)[] claims) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            claims = claims.Select(c => new { typ = c.Type, val = c.Value }),
        })));

    private static HttpRequest Http(string? authorization = null, string? principal = null)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        if (principal is not null)
        {
            context.Request.Headers[ContainerAppsPrincipalAuthenticator.PrincipalHeader] = principal;
        }

        return context.Request;
    }
}
