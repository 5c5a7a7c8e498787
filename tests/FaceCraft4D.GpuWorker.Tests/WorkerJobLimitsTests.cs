using System.Net.Http.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The real worker service (HTTP, queue, ledger on Azurite) with synthetic handlers: a job that runs past the maximum
/// job duration fails with a clear, non-retried reason; the worker answers what implements a stage and records the
/// implementation that ran in the checkpoint.
/// </summary>
public sealed class WorkerJobLimitsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_job_past_the_maximum_duration_fails_as_too_much_work_and_a_short_one_records_its_implementation()
    {
        await using var worker = await TestGpuWorker.StartAsync(
            azurite.ConnectionString, TimeSpan.FromMilliseconds(200), longStageDuration: TimeSpan.FromSeconds(30),
            configureServices: s => s.PostConfigure<WorkerOptions>(o => o.MaxJobDuration = TimeSpan.FromSeconds(1)));
        using var http = TestGpuWorker.AuthenticatedClient(worker.Url);
        var blobs = azurite.CreateBlobStore();
        var input = await blobs.WriteAsync(new BlobRef(StorageLayout.RunsContainer, "fc4d-0123456789abcdef-0123456789abcdef/input/x.json"),
            BinaryData.FromString("{}"), "application/json", default);

        var implementation = await http.GetFromJsonAsync<StageImplementation>("api/stages/train-static/implementation", ContractJson.Options);
        Assert.Equal(new StageImplementation(PipelineStage.TrainStatic, 1, StageImplementation.NoWeights), implementation);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("api/stages/no-such-stage/implementation")).StatusCode);

        // Training (30 s of synthetic work) against a 1 s limit: failed, with the reason, well before the work would end.
        var started = DateTimeOffset.UtcNow;
        var training = await RunAsync(http, Request(PipelineStage.TrainStatic, input, implementation!), TimeSpan.FromSeconds(20));
        Assert.Equal(JobState.Failed, training.State);
        Assert.Equal(JobFailureKind.InvalidInput, training.Failure);
        Assert.Contains("maximum job duration", training.Error);
        Assert.Contains("max-duration", training.Error);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(15));

        // A short stage within the limit succeeds, and its checkpoint names the implementation that ran.
        var enhance = await http.GetFromJsonAsync<StageImplementation>("api/stages/enhance-view/implementation", ContractJson.Options);
        var request = Request(PipelineStage.EnhanceView, input, enhance!);
        Assert.Equal(JobState.Succeeded, (await RunAsync(http, request, TimeSpan.FromSeconds(20))).State);
        var record = await new CheckpointStore(blobs).TryGetValidAsync(request, default);
        Assert.NotNull(record);
        Assert.Equal("enhance-view/v1/weights-none", record!.Implementation);
    }

    private static StageRequest Request(PipelineStage stage, BlobRef input, StageImplementation implementation) => new(
        "fc4d-0123456789abcdef-0123456789abcdef", stage, "0", new Dictionary<string, BlobRef> { ["input/x.json"] = input },
        PipelinePresets.Preview, new Dictionary<string, string>()) { Implementation = implementation.Id };

    private static async Task<JobStatus> RunAsync(HttpClient http, StageRequest request, TimeSpan timeout)
    {
        var key = request.IdempotencyKey();
        using var submit = new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{request.Stage.Slug()}")
        {
            Content = JsonContent.Create(request, options: ContractJson.Options),
        };
        submit.Headers.Add("Idempotency-Key", key);
        using (var response = await http.SendAsync(submit))
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await http.GetFromJsonAsync<JobStatus>($"api/jobs/{request.Stage.Slug()}/{Uri.EscapeDataString(key)}", ContractJson.Options);
            if (status!.IsTerminal || DateTime.UtcNow > deadline) return status;
            await Task.Delay(100);
        }
    }
}
