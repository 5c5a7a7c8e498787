using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;
using static FaceCraft4D.Testing.TestCallers;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Share links: a signed token opens one run's status and artifacts without a caller, for its lifetime only; it
/// opens nothing that changes the run, no other run, and a changed token opens nothing.
/// </summary>
public sealed class ShareLinkTests : IAsyncLifetime
{
    private const string Owner = "owner-object-id";
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private ApiTestHost host = null!;
    private string runId = null!;

    public async Task InitializeAsync()
    {
        host = await ApiTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Fc4d:Share:Key"] = Key });
        var post = Context("POST", Owner, body: TestPortraits.Jpeg(43), contentType: "image/jpeg");
        await Handlers().SubmitAsync(post);
        runId = JsonDocument.Parse(Body(post)).RootElement.GetProperty("runId").GetString()!;
        await host.Blobs.WriteAsync(StorageLayout.AvatarArtifact(runId, "avatar.ply"), BinaryData.FromString("ply shared"), "application/octet-stream", default);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task The_owner_gets_a_viewer_url_whose_token_reads_status_and_artifacts_without_a_caller()
    {
        var share = Context("POST", Owner, query: "?ttl=2");
        await Handlers().ShareAsync(share, runId);

        Assert.Equal(201, share.Response.StatusCode);
        var body = JsonDocument.Parse(Body(share)).RootElement;
        var url = new Uri(body.GetProperty("url").GetString()!);
        Assert.Equal($"/avatars/{runId}", url.AbsolutePath);
        var token = ShareToken(url.Query);
        var expires = body.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));

        var status = Context("GET", caller: null, query: $"?share={Uri.EscapeDataString(token)}");
        await Handlers().GetStatusAsync(status, runId);
        var artifacts = Context("GET", caller: null, query: $"?share={Uri.EscapeDataString(token)}");
        await Handlers().ListArtifactsAsync(artifacts, runId);
        var artifact = Context("GET", caller: null, query: $"?share={Uri.EscapeDataString(token)}");
        await Handlers().GetArtifactAsync(artifact, runId, "avatar.ply");

        Assert.Contains(status.Response.StatusCode, new[] { 200, 202 });
        Assert.Equal(200, artifacts.Response.StatusCode);
        Assert.EndsWith($"avatar.ply?share={Uri.EscapeDataString(token)}", JsonDocument.Parse(Body(artifacts)).RootElement[0].GetProperty("url").GetString());
        Assert.Equal("ply shared", Body(artifact));
    }

    [Fact]
    public async Task A_share_link_changes_nothing_and_issues_no_further_links()
    {
        var token = Tokens().Create(runId, TimeSpan.FromDays(1)).Token;
        var query = $"?share={Uri.EscapeDataString(token)}&deleteData=true";

        var terminate = Context("POST", caller: null, query: query);
        await Handlers().TerminateAsync(terminate, runId);
        var purge = Context("DELETE", caller: null, query: query);
        await Handlers().DeleteAsync(purge, runId);
        var share = Context("POST", caller: null, query: query);
        await Handlers().ShareAsync(share, runId);

        Assert.Equal(401, terminate.Response.StatusCode);
        Assert.Equal(401, purge.Response.StatusCode);
        Assert.Equal(401, share.Response.StatusCode);
        Assert.NotNull(await host.Durable.Client.GetInstanceAsync(runId));
        Assert.NotNull(await host.Blobs.GetInfoAsync(StorageLayout.AvatarArtifact(runId, "avatar.ply"), default));
    }

    [Fact]
    public void A_token_opens_only_its_run_until_it_expires_and_any_change_breaks_it()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-06T12:00:00Z"));
        var tokens = new ShareLinkTokens(Options.Create(new ShareLinkOptions { Key = Key }), clock);
        var token = tokens.Create(runId, TimeSpan.FromHours(1)).Token;
        var (expiry, mac) = (token[..token.IndexOf('.')], token[(token.IndexOf('.') + 1)..]);
        var flipped = (mac[0] == 'A' ? 'B' : 'A') + mac[1..];

        Assert.True(tokens.IsValid(token, runId));
        Assert.False(tokens.IsValid(token, "fc4d-0123456789abcdef-01234567"));
        Assert.False(tokens.IsValid($"{long.Parse(expiry) + 86400}.{mac}", runId)); // extended expiry
        Assert.False(tokens.IsValid($"{expiry}.{flipped}", runId));
        Assert.False(tokens.IsValid($"{expiry}.", runId));
        Assert.False(tokens.IsValid(mac, runId));
        Assert.False(tokens.IsValid("", runId));
        var otherKey = new ShareLinkTokens(Options.Create(new ShareLinkOptions { Key = Convert.ToBase64String(new byte[32]) }), clock);
        Assert.False(otherKey.IsValid(token, runId));

        clock.Now = clock.Now.AddMinutes(59);
        Assert.True(tokens.IsValid(token, runId));
        clock.Now = clock.Now.AddMinutes(1);
        Assert.False(tokens.IsValid(token, runId));
    }

    [Fact]
    public async Task An_expired_or_foreign_token_reads_nothing()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddDays(-2));
        var expired = new ShareLinkTokens(Options.Create(new ShareLinkOptions { Key = Key }), clock).Create(runId, TimeSpan.FromDays(1)).Token;
        var otherRun = Tokens().Create("fc4d-0123456789abcdef-01234567", TimeSpan.FromDays(1)).Token;

        foreach (var token in new[] { expired, otherRun })
        {
            var artifact = Context("GET", caller: null, query: $"?share={Uri.EscapeDataString(token)}");
            await Handlers().GetArtifactAsync(artifact, runId, "avatar.ply");
            Assert.Equal(401, artifact.Response.StatusCode);
            Assert.DoesNotContain("ply shared", Body(artifact), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("31")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("30.00:00:01")]
    [InlineData("forever")]
    public async Task A_lifetime_beyond_30_days_or_not_positive_is_a_400(string ttl)
    {
        var share = Context("POST", Owner, query: $"?ttl={Uri.EscapeDataString(ttl)}");
        await Handlers().ShareAsync(share, runId);

        Assert.Equal(400, share.Response.StatusCode);
        Assert.Equal("invalid-ttl", JsonDocument.Parse(Body(share)).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_default_lifetime_is_seven_days()
    {
        var share = Context("POST", Owner);
        await Handlers().ShareAsync(share, runId);

        var expires = JsonDocument.Parse(Body(share)).RootElement.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
    }

    private AvatarHttpHandlers Handlers() => host.Services.GetRequiredService<ClientBoundApi>().Handlers(host.Durable.Client);

    private ShareLinkTokens Tokens() => host.Services.GetRequiredService<ShareLinkTokens>();

    private static string ShareToken(string query) =>
        Uri.UnescapeDataString(query.TrimStart('?').Split('&').Single(p => p.StartsWith("share=", StringComparison.Ordinal))["share=".Length..]);

    private DefaultHttpContext Context(string method, string? caller, byte[]? body = null, string? contentType = null, string query = "") =>
        TestCallers.Context(host.Services, method, caller, body: body, contentType: contentType, query: query);

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
