using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;
using static FaceCraft4D.Testing.TestCallers;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Who the caller is: App Service authentication's X-MS-CLIENT-PRINCIPAL (Azure), the loopback and token modes of the
/// local host, and the local host's refusal of cross-site and DNS-rebinding requests.
/// </summary>
public sealed class CallerAuthenticationTests
{
    private const string AliceToken = "alice-token-0123456789";
    private const string BobToken = "bob-token-0123456789ab";

    [Fact]
    public void The_platform_principal_gives_the_object_id_as_owner_and_the_app_role_as_operator()
    {
        var header = PrincipalHeader(("http://schemas.microsoft.com/identity/claims/objectidentifier", "0f0e0d0c-aaaa-bbbb-cccc-000000000001"),
            ("name", "Alice"), ("roles", RequestCaller.OperatorRole));
        var plain = PrincipalHeader(("oid", "0f0e0d0c-aaaa-bbbb-cccc-000000000002"), ("roles", "reader"));

        var alice = RequestCaller.From(new DefaultHttpContext { User = ClientPrincipalHeader.Parse(header)! });
        var bob = RequestCaller.From(new DefaultHttpContext { User = ClientPrincipalHeader.Parse(plain)! });

        Assert.Equal(new RequestCaller("0f0e0d0c-aaaa-bbbb-cccc-000000000001", IsOperator: true), alice);
        Assert.Equal(new RequestCaller("0f0e0d0c-aaaa-bbbb-cccc-000000000002", IsOperator: false), bob);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("bm90IGpzb24=")] // "not json"
    [InlineData("eyJjbGFpbXMiOltdfQ==")] // {"claims":[]}
    public void A_missing_or_malformed_platform_principal_is_no_caller(string? header) =>
        Assert.Null(ClientPrincipalHeader.Parse(header));

    [Fact]
    public async Task Loopback_mode_makes_local_clients_the_local_owner_and_refuses_others()
    {
        var options = new LocalAuthOptions();
        var local = await RunAsync(new LocalCallerMiddleware(Next, Options.Create(options)), IPAddress.Loopback);
        var ipv6 = await RunAsync(new LocalCallerMiddleware(Next, Options.Create(options)), IPAddress.IPv6Loopback);
        var remote = await RunAsync(new LocalCallerMiddleware(Next, Options.Create(options)), IPAddress.Parse("192.168.1.20"));

        Assert.Equal(new RequestCaller(RunIdentity.LocalOwner, IsOperator: true), RequestCaller.From(local));
        Assert.Equal(RunIdentity.LocalOwner, RequestCaller.From(ipv6)?.OwnerId);
        Assert.Equal(403, remote.Response.StatusCode);
        Assert.Equal("loopback-only", Reason(remote));
        Assert.False(remote.Items.ContainsKey("next"));
    }

    [Fact]
    public async Task Token_mode_maps_each_configured_token_to_its_owner_and_anything_else_to_no_caller()
    {
        var options = Options.Create(new LocalAuthOptions
        {
            Mode = LocalAuthMode.Token,
            Tokens =
            [
                new LocalAccessToken { Token = AliceToken, Owner = "alice" },
                new LocalAccessToken { Token = BobToken, Owner = "bob", Operator = true },
                new LocalAccessToken { Token = "short", Owner = "weak" },
            ],
        });

        async Task<RequestCaller?> CallerAsync(string? authorization)
        {
            var context = await RunAsync(new LocalCallerMiddleware(Next, options), IPAddress.Parse("10.1.2.3"), authorization);
            Assert.True(context.Items.ContainsKey("next")); // token mode serves remote clients; the routes answer 401 without a caller
            return RequestCaller.From(context);
        }

        Assert.Equal(new RequestCaller("alice", false), await CallerAsync($"Bearer {AliceToken}"));
        Assert.Equal(new RequestCaller("bob", true), await CallerAsync($"bearer {BobToken}"));
        Assert.Null(await CallerAsync(null));
        Assert.Null(await CallerAsync($"Bearer {AliceToken}x"));
        Assert.Null(await CallerAsync($"Basic {AliceToken}"));
        Assert.Null(await CallerAsync("Bearer short")); // tokens under 16 characters are never accepted
    }

    [Theory]
    [InlineData("POST", "127.0.0.1:7071", "http://evil.example", null, "cross-site-request")]
    [InlineData("DELETE", "localhost:7071", "http://localhost:9999", null, "cross-site-request")]
    [InlineData("POST", "127.0.0.1:7071", "null", null, "cross-site-request")]
    [InlineData("POST", "127.0.0.1:7071", null, "cross-site", "cross-site-request")]
    [InlineData("POST", "127.0.0.1:7071", null, "same-site", "cross-site-request")]
    [InlineData("POST", "attacker.example:7071", null, null, "host-not-allowed")]
    [InlineData("DELETE", "attacker.example", "http://attacker.example", "same-origin", "host-not-allowed")]
    public async Task A_mutating_request_from_another_site_or_to_another_host_is_a_403(string method, string host, string? origin, string? fetchSite, string reason)
    {
        var context = await GuardAsync(method, host, origin, fetchSite);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal(reason, Reason(context));
        Assert.False(context.Items.ContainsKey("next"));
    }

    [Theory]
    [InlineData("POST", "127.0.0.1:7071", null, null)] // the CLI, curl
    [InlineData("POST", "127.0.0.1:7071", "http://127.0.0.1:7071", "same-origin")] // the host's own pages
    [InlineData("DELETE", "localhost:7071", "http://localhost:7071", null)]
    [InlineData("POST", "[::1]:7071", null, "none")]
    [InlineData("POST", "studio.lan:7071", "http://studio.lan:7071", null)] // listed in AllowedHosts
    [InlineData("GET", "127.0.0.1:7071", "http://evil.example", "cross-site")] // reads are not mutating (the routes check the caller)
    public async Task Same_origin_and_command_line_requests_pass(string method, string host, string? origin, string? fetchSite)
    {
        var context = await GuardAsync(method, host, origin, fetchSite);

        Assert.True(context.Items.ContainsKey("next"), $"refused: {Body(context)}");
    }

    private static async Task<DefaultHttpContext> GuardAsync(string method, string host, string? origin, string? fetchSite)
    {
        var guard = new CrossSiteRequestGuard(Next, Options.Create(new LocalAuthOptions { AllowedHosts = ["studio.lan"] }));
        var context = NewContext();
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        if (origin is not null) context.Request.Headers.Origin = origin;
        if (fetchSite is not null) context.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        await guard.InvokeAsync(context);
        return context;
    }

    private static async Task<DefaultHttpContext> RunAsync(LocalCallerMiddleware middleware, IPAddress remote, string? authorization = null)
    {
        var context = NewContext();
        context.Connection.RemoteIpAddress = remote;
        if (authorization is not null) context.Request.Headers.Authorization = authorization;
        await middleware.InvokeAsync(context);
        return context;
    }

    private static DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static Task Next(HttpContext context)
    {
        context.Items["next"] = true;
        return Task.CompletedTask;
    }

    private static string PrincipalHeader(params (string Type, string Value)[] claims) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            name_typ = "name",
            role_typ = "roles",
            claims = claims.Select(c => new { typ = c.Type, val = c.Value }),
        })));

    private static string Reason(HttpContext context) => JsonDocument.Parse(Body(context)).RootElement.GetProperty("reason").GetString()!;
}
