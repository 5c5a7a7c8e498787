using System.Security.Claims;
using System.Text;
using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Api.Limits;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Work budgets, submission limits and bounded intake at the shared HTTP handlers (in-memory durable engine and blob
/// store). Runs here never finish (their orchestrator waits for an event that never comes), so they stay active.
/// </summary>
public sealed class SubmissionLimitsTests
{
    private const string OverBudget = """{"staticIterations": 100000}""";

    private static Task<RunOutput> NeverEnds(TaskOrchestrationContext context, RunInput input) => context.WaitForExternalEvent<RunOutput>("never");

    [Fact]
    public async Task An_over_budget_request_is_a_400_naming_the_budget_and_starts_and_stores_nothing()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds);
        var context = Post(host, TestPortraits.Jpeg(61), OverBudget, caller: null);

        await Handlers(host).SubmitAsync(context);

        var problem = Problem(context, 400);
        Assert.Equal("over-budget", problem.GetProperty("reason").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'preview' preset's budget", detail);
        Assert.Contains("staticIterations=100000", detail);
        Assert.Empty(await ListRunsAsync(host));
        await foreach (var _ in host.Blobs.ListAsync(StorageLayout.RunsContainer, string.Empty, default)) Assert.Fail("a blob was stored");
    }

    [Fact]
    public async Task An_operator_may_exceed_the_budget_and_a_plain_owner_may_not()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds);

        var owner = Post(host, TestPortraits.Jpeg(62), OverBudget, Caller("alice", isOperator: false));
        await Handlers(host).SubmitAsync(owner);
        Assert.Equal("over-budget", Problem(owner, 400).GetProperty("reason").GetString());

        var op = Post(host, TestPortraits.Jpeg(62), OverBudget, Caller("ops", isOperator: true));
        await Handlers(host).SubmitAsync(op);
        Assert.Equal(202, op.Response.StatusCode);
        Assert.Single(await ListRunsAsync(host));
    }

    [Fact]
    public async Task An_owner_past_the_submission_rate_gets_429_with_retry_after_and_other_owners_do_not()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds, Limits(burst: 2, perMinute: 6));

        var codes = new List<int>();
        for (var seed = 70; seed < 73; seed++)
        {
            var context = Post(host, TestPortraits.Jpeg(seed), null, Caller("alice", false));
            await Handlers(host).SubmitAsync(context);
            codes.Add(context.Response.StatusCode);
            if (context.Response.StatusCode == 429)
            {
                Assert.Equal("rate-limited", Problem(context, 429).GetProperty("reason").GetString());
                var seconds = int.Parse(context.Response.Headers.RetryAfter.ToString());
                Assert.InRange(seconds, 1, 10); // one token per 10 s
            }
        }

        Assert.Equal([202, 202, 429], codes);
        var bob = Post(host, TestPortraits.Jpeg(73), null, Caller("bob", false));
        await Handlers(host).SubmitAsync(bob);
        Assert.Equal(202, bob.Response.StatusCode);
    }

    [Fact]
    public async Task An_owner_with_the_most_active_runs_gets_429_and_another_owner_does_not()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds, Limits(perOwner: 1));

        Assert.Equal(202, (await SubmitAsync(host, caller: null, seed: 80)).Response.StatusCode);
        var second = await SubmitAsync(host, caller: null, seed: 81);
        Assert.Equal("too-many-active-runs", Problem(second, 429).GetProperty("reason").GetString());
        Assert.Equal("30", second.Response.Headers.RetryAfter.ToString());
        Assert.Contains("at most 1 at once", Problem(second, 429).GetProperty("detail").GetString());

        Assert.Equal(202, (await SubmitAsync(host, Caller("bob", false), seed: 82)).Response.StatusCode);
        Assert.Equal(2, (await ListRunsAsync(host)).Count);
    }

    [Fact]
    public async Task The_global_cap_refuses_everyone_once_reached()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds, Limits(global: 2));

        Assert.Equal(202, (await SubmitAsync(host, Caller("alice", false), seed: 84)).Response.StatusCode);
        Assert.Equal(202, (await SubmitAsync(host, Caller("bob", false), seed: 85)).Response.StatusCode);
        var third = await SubmitAsync(host, Caller("carol", true), seed: 86);

        Assert.Equal("service-busy", Problem(third, 429).GetProperty("reason").GetString());
        Assert.Equal(2, (await ListRunsAsync(host)).Count);
    }

    [Fact]
    public async Task Active_runs_are_counted_per_owner_from_the_runs_recorded_in_the_durable_store()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds);
        var inputs = new object[] { new { owner = "alice" }, new { owner = "alice" }, new { ownerId = "bob" }, new { runId = "x" } };
        for (var i = 0; i < inputs.Length; i++)
        {
            await host.Durable.Client.ScheduleNewOrchestrationInstanceAsync(
                FaceCraft4D.Pipeline.DurableNames.AvatarRunOrchestrator, inputs[i], new StartOrchestrationOptions($"fc4d-00000000000000a{i}-00000001"));
        }

        // A fresh counter (as in another host process) reads the same numbers from the store.
        var counter = new ActiveRunCounter(host.Durable.Client);

        Assert.Equal(new ActiveRunCount(4, 2), await counter.CountAsync("alice", default));
        Assert.Equal(new ActiveRunCount(4, 1), await counter.CountAsync("bob", default));
        Assert.Equal(new ActiveRunCount(4, 1), await counter.CountAsync(RunIdentity.LocalOwner, default));
    }

    [Fact]
    public async Task A_json_blob_submission_checks_the_blob_length_before_reading_it()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds, new Dictionary<string, string?> { ["Fc4d:Uploads:MaxBytes"] = "100000" });
        var blobs = new ReadRefusingBlobStore(host.Blobs, maxReadableBytes: 100_000);
        await host.Blobs.WriteAsync(new BlobRef(StorageLayout.UploadsContainer, "huge.jpg"), new BinaryData(new byte[300_000]), "image/jpeg", default);
        var api = host.Services.GetRequiredService<ClientBoundApi>();
        var handlers = ActivatorUtilities.CreateInstance<AvatarHttpHandlers>(host.Services, api.Runs(host.Durable.Client), api.Admission(host.Durable.Client), (IBlobStore)blobs);
        var context = Context(host, "POST", Encoding.UTF8.GetBytes("""{"blob": "uploads/huge.jpg"}"""), "application/json", caller: null);

        await handlers.SubmitAsync(context);

        Assert.Equal("too-large", Problem(context, 413).GetProperty("reason").GetString());
        Assert.Equal(0, blobs.FullReads);
    }

    [Fact]
    public async Task The_upload_intake_rejects_an_oversize_upload_from_its_length_without_reading_it()
    {
        await using var host = await ApiTestHost.StartAsync(NeverEnds);
        var blobs = new ReadRefusingBlobStore(host.Blobs, maxReadableBytes: 100_000);
        await host.Blobs.WriteAsync(new BlobRef(StorageLayout.UploadsContainer, "huge.jpg"), new BinaryData(new byte[300_000]), "image/jpeg", default);
        var runs = host.Services.GetRequiredService<ClientBoundApi>().Runs(host.Durable.Client);
        var intake = new UploadIntake(blobs, runs, Options.Create(new PortraitValidationOptions { MaxBytes = 100_000 }), NullLogger<UploadIntake>.Instance);

        Assert.Null(await intake.ProcessAsync("huge.jpg", default));

        Assert.Equal(0, blobs.FullReads);
        Assert.Null(await host.Blobs.GetInfoAsync(new BlobRef(StorageLayout.UploadsContainer, "huge.jpg"), default));
        var reason = JsonDocument.Parse((await host.Blobs.TryReadAsync(StorageLayout.RejectedUpload("huge.jpg").Reason, default))!.ToString()).RootElement;
        Assert.Equal("too-large", reason.GetProperty("reason").GetString());
        Assert.Empty(await ListRunsAsync(host));
    }

    private static async Task<HttpContext> SubmitAsync(ApiTestHost host, ClaimsPrincipal? caller, int seed)
    {
        var context = Post(host, TestPortraits.Jpeg(seed), null, caller);
        await Handlers(host).SubmitAsync(context);
        return context;
    }

    private static Dictionary<string, string?> Limits(int burst = 1000, double perMinute = 1000, int perOwner = 1000, int global = 1000) => new()
    {
        ["Fc4d:Limits:SubmissionBurst"] = burst.ToString(),
        ["Fc4d:Limits:SubmissionsPerMinute"] = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Fc4d:Limits:MaxActiveRunsPerOwner"] = perOwner.ToString(),
        ["Fc4d:Limits:MaxActiveRuns"] = global.ToString(),
    };

    private static ClaimsPrincipal Caller(string owner, bool isOperator)
    {
        var claims = new List<Claim> { new(RequestCaller.OwnerClaim, owner) };
        if (isOperator) claims.Add(new Claim(ClaimTypes.Role, RequestCaller.OperatorRole));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
    }

    private static AvatarHttpHandlers Handlers(ApiTestHost host) => host.Services.GetRequiredService<ClientBoundApi>().Handlers(host.Durable.Client);

    private static async Task<List<string>> ListRunsAsync(ApiTestHost host)
    {
        var list = new List<string>();
        await foreach (var run in host.Services.GetRequiredService<ClientBoundApi>().Runs(host.Durable.Client).ListAsync(100, default)) list.Add(run.RunId);
        return list;
    }

    private static DefaultHttpContext Post(ApiTestHost host, byte[] image, string? settings, ClaimsPrincipal? caller)
    {
        var query = settings is null ? string.Empty : $"?settings={Uri.EscapeDataString(settings)}";
        return Context(host, "POST", image, "image/jpeg", caller, query);
    }

    private static DefaultHttpContext Context(ApiTestHost host, string method, byte[] body, string contentType, ClaimsPrincipal? caller, string query = "")
    {
        var context = new DefaultHttpContext { RequestServices = host.Services };
        if (caller is not null) context.User = caller;
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("fc4d.example");
        context.Request.QueryString = new QueryString(query);
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = contentType;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static JsonElement Problem(HttpContext context, int status)
    {
        context.Response.Body.Position = 0;
        var text = new StreamReader(context.Response.Body).ReadToEnd();
        Assert.True(context.Response.StatusCode == status, $"Expected {status}, got {context.Response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>A blob store that fails the test on any full read of a blob longer than the limit (properties are fine).</summary>
    private sealed class ReadRefusingBlobStore(IBlobStore inner, long maxReadableBytes) : IBlobStore
    {
        public int FullReads { get; private set; }

        public async Task<BinaryData?> TryReadAsync(BlobRef blob, CancellationToken cancellationToken)
        {
            await RefuseBigAsync(blob, cancellationToken);
            return await inner.TryReadAsync(blob, cancellationToken);
        }

        public async Task<VersionedBlobContent?> TryReadVersionedAsync(BlobRef blob, CancellationToken cancellationToken)
        {
            await RefuseBigAsync(blob, cancellationToken);
            return await inner.TryReadVersionedAsync(blob, cancellationToken);
        }

        public async Task<Stream> OpenReadAsync(BlobRef blob, CancellationToken cancellationToken)
        {
            await RefuseBigAsync(blob, cancellationToken);
            return await inner.OpenReadAsync(blob, cancellationToken);
        }

        public async Task<BlobRef> CopyAsync(BlobRef source, BlobRef target, CancellationToken cancellationToken)
        {
            await RefuseBigAsync(source, cancellationToken);
            return await inner.CopyAsync(source, target, cancellationToken);
        }

        public Task<BlobRef> WriteAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken) =>
            inner.WriteAsync(blob, content, contentType, cancellationToken);

        public Task<bool> TryCreateAsync(BlobRef blob, BinaryData content, string contentType, CancellationToken cancellationToken) =>
            inner.TryCreateAsync(blob, content, contentType, cancellationToken);

        public Task<string?> TryWriteIfVersionAsync(BlobRef blob, BinaryData content, string contentType, string? expectedVersion, CancellationToken cancellationToken) =>
            inner.TryWriteIfVersionAsync(blob, content, contentType, expectedVersion, cancellationToken);

        public Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken) => inner.GetInfoAsync(blob, cancellationToken);

        public IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, CancellationToken cancellationToken) =>
            inner.ListAsync(container, prefix, cancellationToken);

        public Task SetMetadataAsync(BlobRef blob, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken) =>
            inner.SetMetadataAsync(blob, entries, cancellationToken);

        public Task<bool> DeleteAsync(BlobRef blob, CancellationToken cancellationToken) => inner.DeleteAsync(blob, cancellationToken);

        public Task EnsureContainersAsync(IEnumerable<string> containers, CancellationToken cancellationToken) =>
            inner.EnsureContainersAsync(containers, cancellationToken);

        private async Task RefuseBigAsync(BlobRef blob, CancellationToken cancellationToken)
        {
            if (await inner.GetInfoAsync(blob, cancellationToken) is { } info && info.Length > maxReadableBytes)
            {
                FullReads++;
                throw new InvalidOperationException($"{blob} ({info.Length} bytes) was read in full although it is over the limit.");
            }
        }
    }
}
