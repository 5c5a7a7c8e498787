using System.Net;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>Budgets and submission limits of the real running local host, seen from outside (HTTP only).</summary>
public sealed class SubmissionLimitsHostTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_burst_of_50_submissions_from_one_owner_gets_429s_with_retry_after_no_5xx_and_loses_no_accepted_run()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(40), maxConcurrentJobs: 8);
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "burst", extra: new Dictionary<string, string>
        {
            ["Fc4d:Limits:SubmissionBurst"] = "8",
            ["Fc4d:Limits:SubmissionsPerMinute"] = "6",
            ["Fc4d:Limits:MaxActiveRunsPerOwner"] = "3",
            ["Fc4d:Limits:MaxActiveRuns"] = "100",
        });
        var images = Enumerable.Range(300, 50).Select(seed => TestPortraits.Jpeg(seed, 160, 160)).ToArray();

        var answers = await Task.WhenAll(images.Select(image => PostAsync(host, image, TestConfiguration.SmallRunSettings)));

        Assert.All(answers, a => Assert.True((int)a.Status is 200 or 202 or 429, $"{(int)a.Status}: {a.Body}"));
        var refused = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToArray();
        var accepted = answers.Where(a => a.Status != HttpStatusCode.TooManyRequests).ToArray();
        Assert.True(refused.Length >= 50 - 8, $"{refused.Length} refused");
        Assert.All(refused, a =>
        {
            Assert.True(a.RetryAfter is >= 1, $"Retry-After {a.RetryAfter}");
            Assert.Contains(a.Reason, new[] { "rate-limited", "too-many-active-runs" });
        });
        Assert.Contains(refused, a => a.Reason == "rate-limited");
        // At most the burst is admitted; how many beyond the active-run limit depends on runs that ended during the burst
        // (on a loaded machine the 50 answers take seconds): the limit itself is checked on the runs' lifetimes below.
        Assert.InRange(accepted.Length, 1, 8);

        // Nothing lost: every accepted run is found by its id and in the listing, and completes.
        var listed = JsonDocument.Parse(await host.Http.GetStringAsync("/api/avatars?top=100")).RootElement
            .EnumerateArray().Select(r => r.GetProperty("runId").GetString()).ToHashSet();
        foreach (var run in accepted)
        {
            Assert.Contains(run.RunId, listed);
            using var status = await host.Http.GetAsync($"/api/avatars/{run.RunId}");
            Assert.True(status.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{run.RunId}: {status.StatusCode}");
        }

        Assert.Equal(accepted.Length, listed.Count);
        var ends = await Task.WhenAll(accepted.Select(a => host.WaitForEndAsync(a.RunId!, TimeSpan.FromMinutes(5))));
        Assert.All(ends, e => Assert.Equal("Completed", e.RuntimeStatus));
        // The owner's active-run limit (3) held: no instant had more than 3 accepted runs between creation and end.
        var mostAtOnce = ends.Max(e => ends.Count(o => o.CreatedTime <= e.CreatedTime && o.LastUpdatedTime > e.CreatedTime));
        Assert.True(mostAtOnce <= 3, $"{mostAtOnce} runs were active at once: " +
            string.Join(", ", ends.Select(e => $"{e.CreatedTime:HH:mm:ss.fff}-{e.LastUpdatedTime:HH:mm:ss.fff}")));
    }

    [Fact]
    public async Task An_over_budget_request_is_a_400_naming_the_budget_and_starts_and_stores_nothing()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(40));
        // The loopback caller is an operator by default (who may exceed a budget); here it asks as an ordinary owner.
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "budget",
            extra: new Dictionary<string, string> { ["Fc4d:Local:Auth:LoopbackOperator"] = "false" });
        var blobs = azurite.CreateBlobStore();
        var before = await CountAsync(blobs, StorageLayout.RunsContainer);

        var answer = await PostAsync(host, TestPortraits.Jpeg(351), """{"framesPerClip": 200, "clipCount": 16}""");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("over-budget", answer.Reason);
        Assert.Contains("'preview' preset's budget", answer.Detail);
        Assert.Contains("framesPerClip=200", answer.Detail);
        Assert.Empty(JsonDocument.Parse(await host.Http.GetStringAsync("/api/avatars")).RootElement.EnumerateArray());
        Assert.Equal(before, await CountAsync(blobs, StorageLayout.RunsContainer));
    }

    [Fact]
    public async Task The_worker_screen_endpoint_validates_size_without_content_length_and_dimensions_before_screening()
    {
        var screener = new CountingScreener();
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(40),
            configureServices: s =>
            {
                s.AddSingleton<FaceCraft4D.Stages.IPortraitScreener>(screener);
                s.Configure<FaceCraft4D.Pipeline.Intake.PortraitValidationOptions>(o => o.MaxBytes = 200_000);
            });
        using var http = TestGpuWorker.AuthenticatedClient(worker.Url);

        async Task<(int Status, string? Reason)> ScreenAsync(Stream body)
        {
            using var content = new StreamContent(body); // a stream of unknown length: sent chunked, without Content-Length
            using var response = await http.PostAsync("/api/portraits/screen", content);
            var text = await response.Content.ReadAsStringAsync();
            var json = text.StartsWith('{') ? JsonDocument.Parse(text).RootElement : default;
            return ((int)response.StatusCode, json.ValueKind == JsonValueKind.Object && json.TryGetProperty("reason", out var r) ? r.GetString() : null);
        }

        Assert.Equal((413, "too-large"), await ScreenAsync(new UnknownLengthStream(new byte[300_000])));
        Assert.Equal((400, "decompression-bomb"), await ScreenAsync(new UnknownLengthStream(TestPortraits.PngBombHeader())));
        Assert.Equal((400, "not-an-image"), await ScreenAsync(new UnknownLengthStream("not a photo"u8.ToArray())));
        Assert.Equal(0, screener.Calls);
        Assert.Equal(200, (await ScreenAsync(new UnknownLengthStream(TestPortraits.Jpeg(352)))).Status);
        Assert.Equal(1, screener.Calls);
    }

    private sealed class CountingScreener : FaceCraft4D.Stages.IPortraitScreener
    {
        private int calls;

        public int Calls => calls;

        public Task<FaceCraft4D.Stages.PortraitScreening> ScreenAsync(BinaryData image, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(new FaceCraft4D.Stages.PortraitScreening(true, "ok", "A face.", 1, "test-double", []));
        }
    }

    /// <summary>A readable stream that does not tell its length (so HTTP sends it chunked).</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }

    private sealed record Answer(HttpStatusCode Status, string Body, string? RunId, string? Reason, string? Detail, long? RetryAfter);

    private static async Task<Answer> PostAsync(LocalHostHarness host, byte[] image, string settings)
    {
        using var response = await PortraitSubmission.PostAsync(host.Http, image, settings);
        var body = await response.Content.ReadAsStringAsync();
        var json = body.Length > 0 && body[0] == '{' ? JsonDocument.Parse(body).RootElement : default;
        string? Field(string name) => json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var v) ? v.GetString() : null;
        return new Answer(response.StatusCode, body, Field("runId"), Field("reason"), Field("detail"),
            (long?)response.Headers.RetryAfter?.Delta?.TotalSeconds);
    }

    private static async Task<int> CountAsync(IBlobStore blobs, string container)
    {
        var count = 0;
        await foreach (var _ in blobs.ListAsync(container, string.Empty, CancellationToken.None))
        {
            count++;
        }

        return count;
    }
}
