using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Queues;
using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Endpoints;
using FaceCraft4D.GpuWorker.Scaling;
using FaceCraft4D.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.GpuWorker.Tests;

/// <summary>
/// The scale signal on real queue semantics (Azurite): one message per held job, gone when the job ends, renewed
/// under a new id, and cleared when the replica stops, so the queue length the KEDA rule reads is running + waiting jobs.
/// </summary>
public sealed class JobDemandQueueTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Held_jobs_are_counted_once_each_renewed_and_released_on_end_and_on_stop()
    {
        var queue = new QueueClient(azurite.ConnectionString, $"jobs-{Guid.NewGuid():N}");
        var demand = new StorageQueueJobDemand(queue, Options.Create(new JobQueueOptions { Name = queue.Name }), TimeProvider.System,
            NullLogger<StorageQueueJobDemand>.Instance);

        await demand.AcceptedAsync("job-a", default);
        await demand.AcceptedAsync("job-b", default);
        await demand.AcceptedAsync("job-a", default); // a resubmission of a held job is not a second job
        Assert.Equal(["job-a", "job-b"], await MessagesAsync(queue));
        var before = (await queue.PeekMessagesAsync(32)).Value.Select(m => m.MessageId).ToHashSet();

        await demand.RenewAsync(default);
        var renewed = (await queue.PeekMessagesAsync(32)).Value;
        Assert.Equal(["job-a", "job-b"], renewed.Select(m => m.Body.ToString()).Order());
        Assert.DoesNotContain(renewed, m => before.Contains(m.MessageId));

        await demand.EndedAsync("job-a", default);
        await demand.EndedAsync("job-a", default);
        Assert.Equal(["job-b"], await MessagesAsync(queue));

        await demand.StopAsync(default);
        Assert.Empty(await MessagesAsync(queue));
    }

    [Fact]
    public async Task A_worker_holds_one_message_while_a_job_runs_and_none_after_it_ends()
    {
        var name = $"jobs-{Guid.NewGuid():N}";
        var run = "fc4d-0000000000000a07-0000000a";
        var portrait = new BlobRef("runs", $"{run}/input/portrait.png");
        await azurite.CreateBlobStore().WriteAsync(portrait, BinaryData.FromString("photo"), "image/png", default);
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromSeconds(3), configureServices: services =>
        {
            services.RemoveAll<IJobDemandSignal>();
            services.Configure<JobQueueOptions>(o => o.Name = name);
            services.AddSingleton(new QueueClient(azurite.ConnectionString, name));
            services.AddSingleton<StorageQueueJobDemand>();
            services.AddSingleton<IJobDemandSignal>(sp => sp.GetRequiredService<StorageQueueJobDemand>());
        });
        using var http = TestGpuWorker.AuthenticatedClient(worker.Url);
        var request = new StageRequest(run, PipelineStage.Preprocess, "0", new Dictionary<string, BlobRef> { ["input/portrait"] = portrait },
            PipelinePresets.Preview, new Dictionary<string, string>());
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/jobs/preprocess") { Content = JsonContent.Create(request, options: ContractJson.Options) };
        message.Headers.Add(JobEndpoints.IdempotencyHeader, request.IdempotencyKey());

        using var submitted = await http.SendAsync(message);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var queue = new QueueClient(azurite.ConnectionString, name);
        Assert.Equal([request.IdempotencyKey()], await MessagesAsync(queue));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JobStatus status;
        do
        {
            await Task.Delay(100);
            status = (await http.GetFromJsonAsync<JobStatus>($"api/jobs/preprocess/{request.IdempotencyKey()}", ContractJson.Options))!;
        }
        while (status.State is JobState.Queued or JobState.Running && DateTime.UtcNow < deadline);

        Assert.Equal(JobState.Succeeded, status.State);
        // The message goes right after the job's final record (the runner's last step).
        var released = DateTime.UtcNow.AddSeconds(10);
        while ((await MessagesAsync(queue)).Count > 0 && DateTime.UtcNow < released)
        {
            await Task.Delay(50);
        }

        Assert.Empty(await MessagesAsync(queue));
    }

    private static async Task<IReadOnlyList<string>> MessagesAsync(QueueClient queue) =>
        (await queue.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).Order().ToArray();
}
