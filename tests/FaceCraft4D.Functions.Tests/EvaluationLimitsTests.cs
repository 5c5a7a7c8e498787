using System.Security.Claims;
using System.Text;
using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// <c>POST /api/evaluations</c> is limited per owner (a rate, and active batches counted in the durable store: 429 with
/// Retry-After) and bounded (a set too large for a caller who is not an operator: 400), and a refusal starts nothing.
/// Batches here never finish (their orchestrator waits for an event that never comes), so they stay active.
/// </summary>
public sealed class EvaluationLimitsTests : IAsyncLifetime
{
    private DurableTaskTestHost durable = null!;

    public async Task InitializeAsync() =>
        durable = await InProcessDurableHost.StartAsync(r => r.AddOrchestratorFunc<object?, object?>(
            DurableNames.EvaluationBatchOrchestrator, (context, _) => context.WaitForExternalEvent<object?>("never")));

    public async Task DisposeAsync() => await durable.DisposeAsync();

    [Fact]
    public async Task An_owner_past_the_batch_rate_gets_429_with_retry_after_and_another_owner_does_not()
    {
        await using var host = await ApiTestHost.StartAsync(settings: Limits(burst: 2, perMinute: 2, perOwner: 100));
        await SetAsync(host, "small", 2);

        var codes = new List<int>();
        HttpContext? refused = null;
        for (var i = 0; i < 3; i++)
        {
            var context = await StartAsync(host, "small", Caller("alice", isOperator: false));
            codes.Add(context.Response.StatusCode);
            refused = context;
        }

        Assert.Equal([202, 202, 429], codes);
        Assert.Equal("rate-limited", Problem(refused!, 429).GetProperty("reason").GetString());
        Assert.InRange(int.Parse(refused!.Response.Headers.RetryAfter.ToString()), 1, 30); // one token per 30 s
        Assert.Equal(202, (await StartAsync(host, "small", Caller("bob", isOperator: false))).Response.StatusCode);
        Assert.Equal(3, await CountBatchesAsync());
    }

    [Fact]
    public async Task An_owner_with_the_most_active_batches_gets_429_and_the_global_cap_refuses_everyone()
    {
        await using var host = await ApiTestHost.StartAsync(settings: Limits(perOwner: 1, global: 2));
        await SetAsync(host, "small", 2);

        Assert.Equal(202, (await StartAsync(host, "small", Caller("alice", false))).Response.StatusCode);
        var second = await StartAsync(host, "small", Caller("alice", false));
        Assert.Equal("too-many-active-evaluations", Problem(second, 429).GetProperty("reason").GetString());
        Assert.Equal("30", second.Response.Headers.RetryAfter.ToString());

        Assert.Equal(202, (await StartAsync(host, "small", Caller("bob", false))).Response.StatusCode);
        var third = await StartAsync(host, "small", Caller("carol", false));
        Assert.Equal("service-busy", Problem(third, 429).GetProperty("reason").GetString());
        Assert.Equal(2, await CountBatchesAsync());
    }

    [Fact]
    public async Task A_set_larger_than_the_callers_bound_is_a_400_and_starts_nothing_but_an_operator_may_run_it()
    {
        await using var host = await ApiTestHost.StartAsync(settings: Limits(maxImages: 3));
        await SetAsync(host, "large", 4);
        await SetAsync(host, "fits", 3);

        var tooLarge = await StartAsync(host, "large", Caller("alice", false));
        Assert.Equal("set-too-large", Problem(tooLarge, 400).GetProperty("reason").GetString());
        Assert.Contains("more than 3 images", Problem(tooLarge, 400).GetProperty("detail").GetString());
        Assert.Equal(0, await CountBatchesAsync());

        Assert.Equal(202, (await StartAsync(host, "fits", Caller("alice", false))).Response.StatusCode);
        Assert.Equal(202, (await StartAsync(host, "large", Caller("ops", true))).Response.StatusCode);
        Assert.Equal(2, await CountBatchesAsync());
    }

    private static Dictionary<string, string?> Limits(int burst = 1000, double perMinute = 1000, int perOwner = 1000, int global = 1000, int maxImages = 50) => new()
    {
        ["Fc4d:Limits:EvaluationBurst"] = burst.ToString(),
        ["Fc4d:Limits:EvaluationsPerMinute"] = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Fc4d:Limits:MaxActiveEvaluationsPerOwner"] = perOwner.ToString(),
        ["Fc4d:Limits:MaxActiveEvaluations"] = global.ToString(),
        ["Fc4d:Limits:MaxEvaluationImages"] = maxImages.ToString(),
    };

    private static async Task SetAsync(ApiTestHost host, string set, int images)
    {
        for (var i = 0; i < images; i++)
        {
            await host.Blobs.WriteAsync(new BlobRef(StorageLayout.EvalContainer, $"sets/{set}/{i:D2}.jpg"), new BinaryData(TestPortraits.Jpeg(90 + i)), "image/jpeg", default);
        }

        await host.Blobs.WriteAsync(new BlobRef(StorageLayout.EvalContainer, $"sets/{set}/README.txt"), BinaryData.FromString("not an image"), "text/plain", default);
    }

    private async Task<HttpContext> StartAsync(ApiTestHost host, string set, ClaimsPrincipal caller)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"set": "{{set}}"}""");
        var context = new DefaultHttpContext { RequestServices = host.Services, User = caller };
        context.Request.Method = "POST";
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("fc4d.example");
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = "application/json";
        context.Response.Body = new MemoryStream();
        await host.Services.GetRequiredService<ClientBoundApi>().EvaluationHandlers(durable.Client).StartAsync(context);
        return context;
    }

    private async Task<int> CountBatchesAsync()
    {
        var count = 0;
        await foreach (var _ in durable.Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = "eval-" })) count++;
        return count;
    }

    private static ClaimsPrincipal Caller(string owner, bool isOperator)
    {
        var claims = new List<Claim> { new(RequestCaller.OwnerClaim, owner) };
        if (isOperator) claims.Add(new Claim(ClaimTypes.Role, RequestCaller.OperatorRole));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
    }

    private static JsonElement Problem(HttpContext context, int status)
    {
        context.Response.Body.Position = 0;
        var text = new StreamReader(context.Response.Body).ReadToEnd();
        Assert.True(context.Response.StatusCode == status, $"Expected {status}, got {context.Response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
