using System.Text.Json;
using FaceCraft4D.Api;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static FaceCraft4D.Testing.TestCallers;

namespace FaceCraft4D.Functions.Tests;

/// <summary>
/// Every run route against a foreign caller, at the shared handlers: a run of another owner answers exactly like a run
/// that does not exist (404, the same body), changes nothing, and is not listed; no caller answers 401; the owner and
/// operators get through. Runs stay running (an orchestrator that waits forever), so terminate and purge would act.
/// </summary>
public sealed class RunOwnershipTests : IAsyncLifetime
{
    private const string Alice = "alice-object-id";
    private const string Bob = "bob-object-id";
    private const string Missing = "fc4d-0123456789abcdef-01234567";
    private ApiTestHost host = null!;
    private string runId = null!;

    public async Task InitializeAsync()
    {
        host = await ApiTestHost.StartAsync(async (context, _) =>
        {
            await context.WaitForExternalEvent<string>("never");
            throw new InvalidOperationException("unreachable");
        }, new Dictionary<string, string?> { ["Fc4d:Share:Key"] = Convert.ToBase64String(new byte[32]) });
        var post = Context("POST", Alice, body: TestPortraits.Jpeg(41), contentType: "image/jpeg");
        await Handlers().SubmitAsync(post);
        Assert.Equal(202, post.Response.StatusCode);
        runId = JsonDocument.Parse(Body(post)).RootElement.GetProperty("runId").GetString()!;
        await host.Blobs.WriteAsync(StorageLayout.AvatarArtifact(runId, "avatar.ply"), BinaryData.FromString("ply secret"), "application/octet-stream", default);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    public static TheoryData<string> RunRoutes => ["status", "artifacts", "artifact", "terminate", "purge", "share"];

    [Theory]
    [MemberData(nameof(RunRoutes))]
    public async Task A_foreign_run_answers_exactly_like_a_missing_one(string route)
    {
        var foreign = await CallAsync(route, runId, Bob);
        var missing = await CallAsync(route, Missing, Bob);

        Assert.Equal(404, foreign.Response.StatusCode);
        Assert.Equal(404, missing.Response.StatusCode);
        Assert.Equal(Body(missing).Replace(Missing, "ID", StringComparison.Ordinal), Body(foreign).Replace(runId, "ID", StringComparison.Ordinal));
        Assert.DoesNotContain("secret", Body(foreign), StringComparison.Ordinal);
        Assert.DoesNotContain(Alice, Body(foreign), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RunRoutes))]
    public async Task No_caller_is_a_401(string route)
    {
        var context = await CallAsync(route, runId, caller: null);

        Assert.Equal(401, context.Response.StatusCode);
        Assert.Equal("unauthenticated", JsonDocument.Parse(Body(context)).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_foreign_terminate_or_purge_changes_nothing()
    {
        await WaitForStatusAsync(OrchestrationRuntimeStatus.Running);

        await CallAsync("terminate", runId, Bob);
        await CallAsync("purge", runId, Bob);

        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Durable.Client.GetInstanceAsync(runId))!.RuntimeStatus);
        Assert.NotNull(await host.Blobs.GetInfoAsync(StorageLayout.AvatarArtifact(runId, "avatar.ply"), default));
    }

    [Fact]
    public async Task The_owner_reads_terminates_and_purges_the_run()
    {
        Assert.Contains((await CallAsync("status", runId, Alice)).Response.StatusCode, new[] { 200, 202 });
        Assert.Equal(200, (await CallAsync("artifacts", runId, Alice)).Response.StatusCode);
        var artifact = await CallAsync("artifact", runId, Alice);
        Assert.Equal(200, artifact.Response.StatusCode);
        Assert.Equal("ply secret", Body(artifact));

        await WaitForStatusAsync(OrchestrationRuntimeStatus.Running);
        Assert.Equal(202, (await CallAsync("terminate", runId, Alice)).Response.StatusCode);
        await WaitForStatusAsync(OrchestrationRuntimeStatus.Terminated);
        Assert.Equal(200, (await CallAsync("purge", runId, Alice)).Response.StatusCode);
        Assert.Null(await host.Durable.Client.GetInstanceAsync(runId));
        Assert.Null(await host.Blobs.GetInfoAsync(StorageLayout.AvatarArtifact(runId, "avatar.ply"), default));
    }

    [Fact]
    public async Task An_operator_reads_and_writes_every_run_but_shares_none()
    {
        const string operatorId = "operator-object-id";
        Assert.Contains((await CallAsync("status", runId, operatorId, isOperator: true)).Response.StatusCode, new[] { 200, 202 });
        Assert.Equal(200, (await CallAsync("artifact", runId, operatorId, isOperator: true)).Response.StatusCode);
        Assert.Equal(404, (await CallAsync("share", runId, operatorId, isOperator: true)).Response.StatusCode);
        Assert.Contains(runId, await ListAsync(operatorId, isOperator: true));
    }

    [Fact]
    public async Task The_listing_shows_only_the_callers_runs()
    {
        var post = Context("POST", Bob, body: TestPortraits.Jpeg(41), contentType: "image/jpeg");
        await Handlers().SubmitAsync(post);
        var bobsRun = JsonDocument.Parse(Body(post)).RootElement.GetProperty("runId").GetString()!;

        var bobs = await ListAsync(Bob);
        var alices = await ListAsync(Alice);

        Assert.NotEqual(runId, bobsRun); // the same photo and settings: one run per owner, never a shared one
        Assert.Equal([bobsRun], bobs);
        Assert.Equal([runId], alices);
        var unauthenticated = Context("GET", caller: null);
        await Handlers().ListAsync(unauthenticated);
        Assert.Equal(401, unauthenticated.Response.StatusCode);
    }

    [Fact]
    public async Task An_evaluation_batch_is_visible_to_its_owner_only()
    {
        var evaluations = host.Services.GetRequiredService<ClientBoundApi>().EvaluationHandlers(host.Durable.Client);
        var start = Context("POST", Alice, body: """{"set": "faces"}"""u8.ToArray(), contentType: "application/json");
        await evaluations.StartAsync(start);
        Assert.Equal(202, start.Response.StatusCode);
        var batchId = JsonDocument.Parse(Body(start)).RootElement.GetProperty("id").GetString()!;

        var foreign = Context("GET", Bob);
        await evaluations.GetAsync(foreign, batchId);
        var missing = Context("GET", Bob);
        await evaluations.GetAsync(missing, "eval-faces-20260101-000000-0000");
        var own = Context("GET", Alice);
        await evaluations.GetAsync(own, batchId);
        var anonymous = Context("GET", caller: null);
        await evaluations.GetAsync(anonymous, batchId);
        var anonymousStart = Context("POST", caller: null, body: """{"set": "faces"}"""u8.ToArray(), contentType: "application/json");
        await evaluations.StartAsync(anonymousStart);

        Assert.Equal(404, foreign.Response.StatusCode);
        Assert.Equal(Body(missing).Replace("eval-faces-20260101-000000-0000", "ID", StringComparison.Ordinal), Body(foreign).Replace(batchId, "ID", StringComparison.Ordinal));
        Assert.NotEqual(404, own.Response.StatusCode);
        Assert.Equal(401, anonymous.Response.StatusCode);
        Assert.Equal(401, anonymousStart.Response.StatusCode);
    }

    [Fact]
    public async Task A_json_submission_may_not_name_an_upload_of_another_owner()
    {
        await host.Blobs.WriteAsync(new BlobRef(StorageLayout.UploadsContainer, "dropped.jpg"), new BinaryData(TestPortraits.Jpeg(42)), "image/jpeg", default);
        var post = Context("POST", Bob, body: """{"blob": "uploads/dropped.jpg"}"""u8.ToArray(), contentType: "application/json");

        await Handlers().SubmitAsync(post);

        Assert.Equal(404, post.Response.StatusCode); // locally every upload is the local owner's
        Assert.Equal("blob-not-found", JsonDocument.Parse(Body(post)).RootElement.GetProperty("reason").GetString());
        Assert.Empty(await ListAsync(Bob));
    }

    private AvatarHttpHandlers Handlers() => host.Services.GetRequiredService<ClientBoundApi>().Handlers(host.Durable.Client);

    private async Task<DefaultHttpContext> CallAsync(string route, string id, string? caller, bool isOperator = false)
    {
        var handlers = Handlers();
        var method = route is "terminate" or "share" ? "POST" : route == "purge" ? "DELETE" : "GET";
        var context = Context(method, caller, isOperator, query: route == "purge" ? "?deleteData=true" : "");
        await (route switch
        {
            "status" => handlers.GetStatusAsync(context, id),
            "artifacts" => handlers.ListArtifactsAsync(context, id),
            "artifact" => handlers.GetArtifactAsync(context, id, "avatar.ply"),
            "terminate" => handlers.TerminateAsync(context, id),
            "purge" => handlers.DeleteAsync(context, id),
            "share" => handlers.ShareAsync(context, id),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        });
        return context;
    }

    private async Task<List<string>> ListAsync(string caller, bool isOperator = false)
    {
        var context = Context("GET", caller, isOperator);
        await Handlers().ListAsync(context);
        Assert.Equal(200, context.Response.StatusCode);
        return JsonDocument.Parse(Body(context)).RootElement.EnumerateArray().Select(r => r.GetProperty("runId").GetString()!).ToList();
    }

    private async Task WaitForStatusAsync(OrchestrationRuntimeStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await host.Durable.Client.GetInstanceAsync(runId))?.RuntimeStatus != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{runId} never reached {status}");
            await Task.Delay(50);
        }
    }

    private DefaultHttpContext Context(string method, string? caller, bool isOperator = false, byte[]? body = null, string? contentType = null, string query = "") =>
        TestCallers.Context(host.Services, method, caller, isOperator, body, contentType, query);
}
