using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Testing;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>Many submissions at once through the HTTP API: none lost, none duplicated.</summary>
public sealed class ConcurrencyTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly PipelinePlan SmallPlan = PipelinePlan.For(PipelinePresets.Preview with { ViewCount = 4, SourceViewCount = 2, ClipCount = 2 });

    [Fact]
    public async Task Twenty_concurrent_submissions_all_complete_exactly_once()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(40), maxConcurrentJobs: 8);
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "twenty");

        var responses = await Task.WhenAll(Enumerable.Range(100, 20).Select(seed => PostAsync(host, TestPortraits.Jpeg(seed))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        var runIds = responses.Select(r => r.RunId).ToArray();
        Assert.Equal(20, runIds.Distinct().Count());
        var statuses = await Task.WhenAll(runIds.Select(id => host.WaitForEndAsync(id, TimeSpan.FromMinutes(10))));
        Assert.All(statuses, s => Assert.True(s.RuntimeStatus == "Completed", $"{s.InstanceId} {s.RuntimeStatus}: {s.Error}"));
        var perRun = PipelineStages.All.Sum(s => SmallPlan.WorkItems(s).Count);
        Assert.All(runIds, id => Assert.Equal(perRun, worker.Ledger.RunTotal(id)));
        Assert.Empty(worker.Ledger.Duplicates());
    }

    [Fact]
    public async Task Concurrent_identical_submissions_start_a_single_run()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(40));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "identical");
        var image = TestPortraits.Png(7);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(host, image)));

        var runId = Assert.Single(responses.Select(r => r.RunId).Distinct());
        Assert.Equal(1, responses.Count(r => r.Created));
        Assert.Equal("Completed", (await host.WaitForEndAsync(runId, TimeSpan.FromMinutes(3))).RuntimeStatus);
        Assert.Equal(PipelineStages.All.Sum(s => SmallPlan.WorkItems(s).Count), worker.Ledger.RunTotal(runId));
    }

    private static async Task<(HttpStatusCode Status, string RunId, bool Created)> PostAsync(LocalHostHarness host, byte[] image)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "image", "portrait.jpg");
        form.Add(new StringContent(TestConfiguration.SmallRunSettings), "settings");
        using var response = await host.Http.PostAsync("/api/avatars", form);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("runId").GetString()!, body.RootElement.GetProperty("created").GetBoolean());
    }
}
