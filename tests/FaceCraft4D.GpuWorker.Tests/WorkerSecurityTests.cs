using System.Net;
using System.Net.Http.Json;
using System.Text;
using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Endpoints;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The worker's HTTP surface against callers without its key and against requests that reach outside their run:
/// a real worker (HTTP, job registry, ledger) on Azurite, synthetic stage work.
/// </summary>
public sealed class WorkerSecurityTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string OwnRun = "fc4d-00000000000000a1-0000000a";
    private const string OtherRun = "fc4d-00000000000000b2-0000000b";

    private static readonly (string Method, string Path)[] ProtectedRoutes =
    [
        ("POST", "api/jobs/preprocess"),
        ("GET", $"api/jobs/preprocess/{OwnRun}.preprocess.0.0123456789abcdef"),
        ("DELETE", $"api/jobs/preprocess/{OwnRun}.preprocess.0.0123456789abcdef"),
        ("POST", "api/portraits/screen"),
        ("POST", "api/evaluation-reports"),
        ("GET", "api/capabilities"),
        ("GET", "api/no-such-route"),
    ];

    [Fact]
    public async Task Every_route_but_health_answers_401_without_the_key_or_with_a_wrong_one()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50));
        using var anonymous = new HttpClient { BaseAddress = worker.Url };
        using var wrong = new HttpClient { BaseAddress = worker.Url };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", TestGpuWorker.SharedKey[..^1] + (TestGpuWorker.SharedKey[^1] == 'A' ? 'B' : 'A'));

        foreach (var (method, path) in ProtectedRoutes)
        foreach (var client in new[] { anonymous, wrong })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : new StringContent("{}", Encoding.UTF8, "application/json") };
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        using var health = await anonymous.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var authenticated = TestGpuWorker.AuthenticatedClient(worker.Url);
        using var capabilities = await authenticated.GetAsync("api/capabilities");
        Assert.Equal(HttpStatusCode.OK, capabilities.StatusCode);
    }

    [Fact]
    public async Task A_worker_without_authentication_settings_refuses_to_start()
    {
        var app = GpuWorkerApp.Build([
            "--urls", $"http://127.0.0.1:{LocalHost.Infrastructure.FreeTcpPort.Find()}",
            $"--Fc4d:Storage:ConnectionString={azurite.ConnectionString}",
            "--Logging:LogLevel:Default=None",
        ]);
        await using (app)
        {
            var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());
            Assert.Contains("Fc4d:Worker:Auth:Mode", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_reading_another_runs_blob_is_refused_with_400_and_nothing_runs_or_is_recorded()
    {
        var blobs = azurite.CreateBlobStore();
        await blobs.WriteAsync(new BlobRef("runs", $"{OtherRun}/input/portrait.png"), BinaryData.FromString("their photo"), "image/png", default);
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50));
        using var http = TestGpuWorker.AuthenticatedClient(worker.Url);

        var foreign = Request(OwnRun, "0", new BlobRef("runs", $"{OtherRun}/input/portrait.png"));
        var traversal = Request(OwnRun, "0", new BlobRef("runs", $"{OwnRun}/../{OtherRun}/input/portrait.png"));
        var otherContainer = Request(OwnRun, "0", new BlobRef("uploads", "someone-else.jpg"));
        var badKey = Request(OwnRun, "../../avatars", new BlobRef("runs", $"{OwnRun}/input/portrait.png"));

        foreach (var (request, expected) in new[] { (foreign, OtherRun), (traversal, ".."), (otherContainer, "uploads"), (badKey, "Work-item key") })
        {
            using var response = await SubmitAsync(http, request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(worker.Ledger.Duplicates());
        Assert.Equal(0, worker.Ledger.Count(OwnRun, PipelineStage.Preprocess, "0"));
        var records = new List<BlobInfo>();
        await foreach (var blob in blobs.ListAsync("runs", $"{OwnRun}/stages/", default))
        {
            records.Add(blob);
        }

        Assert.Empty(records); // no job record, no output
    }

    [Fact]
    public async Task A_handler_writing_into_another_runs_avatars_fails_as_invalid_input_and_writes_nothing()
    {
        var blobs = azurite.CreateBlobStore();
        var run = "fc4d-00000000000000c3-0000000c";
        await blobs.WriteAsync(new BlobRef("runs", $"{run}/input/portrait.png"), BinaryData.FromString("photo"), "image/png", default);
        var target = new BlobRef("avatars", $"{OtherRun}/avatar.ply");
        var handlers = new Dictionary<PipelineStage, Func<ExecutionLedger, IStageHandler?>>
        {
            [PipelineStage.Export] = _ => new TrespassingHandler(target),
        };
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50), handlers: handlers);
        using var http = TestGpuWorker.AuthenticatedClient(worker.Url);

        var request = Request(run, "0", new BlobRef("runs", $"{run}/input/portrait.png")) with { Stage = PipelineStage.Export };
        using var submitted = await SubmitAsync(http, request);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var status = await WaitForEndAsync(http, request);

        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal(JobFailureKind.InvalidInput, status.Failure);
        Assert.Contains("out-of-scope-blob", status.Error, StringComparison.Ordinal);
        Assert.Null(await blobs.GetInfoAsync(target, default));
        // The same handler may publish into its own run's avatar folder.
        Assert.NotNull(await blobs.GetInfoAsync(new BlobRef("avatars", $"{run}/{TrespassingHandler.OwnFile}"), default));
    }

    [Fact]
    public async Task A_cancel_naming_another_runs_job_is_refused_and_that_job_keeps_running()
    {
        var blobs = azurite.CreateBlobStore();
        var (runA, runB) = ("fc4d-00000000000000d4-0000000d", "fc4d-00000000000000e5-0000000e");
        foreach (var run in new[] { runA, runB })
        {
            await blobs.WriteAsync(new BlobRef("runs", $"{run}/input/portrait.png"), BinaryData.FromString("photo"), "image/png", default);
        }

        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromSeconds(20));
        using var http = TestGpuWorker.AuthenticatedClient(worker.Url);
        var jobA = Request(runA, "0", new BlobRef("runs", $"{runA}/input/portrait.png"));
        var jobB = Request(runB, "0", new BlobRef("runs", $"{runB}/input/portrait.png"));
        using (var submitted = await SubmitAsync(http, jobA))
        {
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        }

        // Run B's canceller names run A's job in the route but its own in the header: refused.
        using var crossed = await CancelAsync(http, jobA.IdempotencyKey(), header: jobB.IdempotencyKey());
        Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
        using var forged = await CancelAsync(http, $"{runA}.preprocess.0", header: $"{runA}.preprocess.0");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var running = await StatusAsync(http, jobA);
        Assert.True(running.State is JobState.Queued or JobState.Running, running.State.ToString());

        // Run A's own cancel reaches exactly its job.
        using var own = await CancelAsync(http, jobA.IdempotencyKey(), header: jobA.IdempotencyKey());
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        Assert.Equal(JobState.Cancelled, (await WaitForEndAsync(http, jobA)).State);
    }

    [Theory]
    [InlineData("runs", OwnRun + "/input/portrait.png", true, false)]
    [InlineData("runs", OwnRun + "/stages/export/0/avatar.ply", true, true)]
    [InlineData("runs", OwnRun + "/stages/export/00/avatar.ply", true, false)] // another work item of the run
    [InlineData("runs", OwnRun + "/stages/train-static/0/state.bin", true, false)]
    [InlineData("runs", OwnRun + "/stages/export/0/../../train-static/0/state.bin", false, false)]
    [InlineData("runs", OtherRun + "/input/portrait.png", false, false)]
    [InlineData("runs", OwnRun + "x/input/portrait.png", false, false)]
    [InlineData("avatars", OwnRun + "/avatar.ply", true, true)]
    [InlineData("avatars", OtherRun + "/avatar.ply", false, false)]
    [InlineData("models", "flame/flame2023.safetensors", true, false)]
    [InlineData("uploads", "photo.jpg", false, false)]
    [InlineData("eval", "reports/x.json", false, false)]
    [InlineData("runs", "/" + OwnRun + "/input/portrait.png", false, false)]
    [InlineData("runs", OwnRun + "//stages/export/0/a", false, false)]
    [InlineData("runs", OwnRun + "\\..\\" + OtherRun + "/x", false, false)]
    public void The_scope_of_a_request_covers_its_run_its_work_item_and_models_only(string container, string name, bool read, bool write)
    {
        var scope = Security.StageRequestScope.Of(Request(OwnRun, "0", new BlobRef("runs", $"{OwnRun}/input/portrait.png")) with { Stage = PipelineStage.Export });

        Assert.Equal(read, scope.MayRead(new BlobRef(container, name)));
        Assert.Equal(write, scope.MayWrite(new BlobRef(container, name)));
    }

    private static StageRequest Request(string runId, string key, BlobRef input) => new(
        runId, PipelineStage.Preprocess, key, new Dictionary<string, BlobRef> { ["input/portrait"] = input },
        PipelinePresets.Preview, new Dictionary<string, string>());

    private static Task<HttpResponseMessage> SubmitAsync(HttpClient http, StageRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{request.Stage.Slug()}")
        {
            Content = JsonContent.Create(request, options: ContractJson.Options),
        };
        message.Headers.Add(JobEndpoints.IdempotencyHeader, request.IdempotencyKey());
        return http.SendAsync(message);
    }

    private static Task<HttpResponseMessage> CancelAsync(HttpClient http, string jobId, string header)
    {
        var message = new HttpRequestMessage(HttpMethod.Delete, $"api/jobs/preprocess/{Uri.EscapeDataString(jobId)}");
        message.Headers.Add(JobEndpoints.IdempotencyHeader, header);
        return http.SendAsync(message);
    }

    private static async Task<JobStatus> StatusAsync(HttpClient http, StageRequest request) =>
        (await http.GetFromJsonAsync<JobStatus>($"api/jobs/{request.Stage.Slug()}/{request.IdempotencyKey()}", ContractJson.Options))!;

    private static async Task<JobStatus> WaitForEndAsync(HttpClient http, StageRequest request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var status = await StatusAsync(http, request);
            if (status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>An export handler that publishes into its own run's avatar folder, then tries another run's.</summary>
    private sealed class TrespassingHandler(BlobRef target) : IStageHandler
    {
        public const string OwnFile = "own.txt";

        public PipelineStage Stage => PipelineStage.Export;

        public IReadOnlyList<string> Backends { get; } = ["trespassing-test-double"];

        public int ImplementationVersion => 1;

        public IReadOnlyList<string> WeightPaths => [];

        public async Task<StageResult> ExecuteAsync(StageJobContext context)
        {
            await context.Blobs.WriteAsync(StorageLayout.AvatarArtifact(context.Request.RunId, OwnFile), BinaryData.FromString("ok"), "text/plain", context.CancellationToken);
            await context.Blobs.WriteAsync(target, BinaryData.FromString("overwritten"), "text/plain", context.CancellationToken);
            throw new InvalidOperationException("unreachable: the write above must be refused");
        }
    }
}
