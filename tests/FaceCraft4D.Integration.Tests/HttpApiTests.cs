using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;
using FaceCraft4D.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Integration.Tests;

/// <summary>The HTTP API of the local host (the same handlers as the Functions app) end to end.</summary>
public sealed class HttpApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Submit_poll_and_download_follow_the_durable_management_conventions()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "httpok");

        using var response = await host.Http.PostAsync("/api/avatars", Multipart(TestPortraits.Jpeg(31), "portrait.jpg", TestConfiguration.SmallRunSettings));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!;
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var runId = body.RootElement.GetProperty("runId").GetString()!;
        Assert.EndsWith($"/api/avatars/{runId}", location.ToString());
        var urls = body.RootElement.GetProperty("urls");
        Assert.EndsWith("/terminate", urls.GetProperty("terminatePostUri").GetString());

        HttpStatusCode code;
        string status;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        do
        {
            await Task.Delay(300);
            using var poll = await host.Http.GetAsync(location);
            code = poll.StatusCode;
            status = JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.GetProperty("runtimeStatus").GetString()!;
        }
        while (code == HttpStatusCode.Accepted && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Completed", status);
        var artifacts = JsonDocument.Parse(await host.Http.GetStringAsync($"/api/avatars/{runId}/artifacts")).RootElement;
        Assert.Contains(artifacts.EnumerateArray(), a => a.GetProperty("name").GetString() == "avatar.ply");
        Assert.StartsWith("ply", await host.Http.GetStringAsync($"/api/avatars/{runId}/artifacts/avatar.ply"));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/avatars/{runId}/artifacts/..%2F..%2Fruns%2Fx")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await host.Http.PostAsync($"/api/avatars/{runId}/terminate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/avatars/fc4d-0000000000000000-00000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/api/avatars/not-a-run")).StatusCode);

        using var delete = await host.Http.DeleteAsync($"/api/avatars/{runId}?deleteData=true");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync(location)).StatusCode);
        Assert.Empty(await host.Runs.ListArtifactsAsync(runId, CancellationToken.None));
    }

    [Theory]
    [InlineData("empty", 400)]
    [InlineData("not-an-image", 400)]
    [InlineData("truncated", 400)]
    [InlineData("decompression-bomb", 400)]
    [InlineData("unsupported-format", 400)]
    [InlineData("too-small", 400)]
    [InlineData("too-large", 413)]
    [InlineData("invalid-settings", 400)]
    public async Task Bad_input_is_refused_early_with_a_clear_reason_and_stores_nothing(string reason, int expectedStatus)
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "httpbad",
            extra: new Dictionary<string, string> { ["Fc4d:Uploads:MaxBytes"] = "300000" });
        var blobs = azurite.CreateBlobStore();
        var before = await CountAsync(blobs, StorageLayout.RunsContainer);

        var (bytes, settings) = reason switch
        {
            "empty" => (Array.Empty<byte>(), (string?)null),
            "not-an-image" => (Encoding.UTF8.GetBytes("this is a text file, not a photo"), null),
            "truncated" => (TestPortraits.TruncatedJpeg(32), null),
            "decompression-bomb" => (TestPortraits.PngBombHeader(), null),
            "unsupported-format" => (TestPortraits.Gif(33), null),
            "too-small" => (TestPortraits.Jpeg(34, 64, 64), null),
            "too-large" => (new byte[400_000], null),
            _ => (TestPortraits.Jpeg(35), "{\"viewCount\": 3}"),
        };
        using var response = await host.Http.PostAsync("/api/avatars", Multipart(bytes, "upload.bin", settings));

        Assert.Equal(expectedStatus, (int)response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(before, await CountAsync(blobs, StorageLayout.RunsContainer));
        Assert.Empty(await ListAllRunsAsync(host));
    }

    [Fact]
    public async Task A_photo_the_worker_finds_no_face_in_is_refused_with_422_before_a_run_starts()
    {
        await using var worker = await TestGpuWorker.StartAsync(azurite.ConnectionString, TimeSpan.FromMilliseconds(50),
            configureServices: s => s.AddSingleton<FaceCraft4D.Stages.IPortraitScreener>(new NoFaceScreener()));
        await using var host = await LocalHostHarness.StartAsync(azurite.ConnectionString, [worker.Url], "httpnoface");

        using var response = await host.Http.PostAsync("/api/avatars", Multipart(TestPortraits.Jpeg(36), "landscape.jpg", null));

        Assert.Equal(422, (int)response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("no-face", problem.GetProperty("reason").GetString());
        Assert.Contains("No face", problem.GetProperty("detail").GetString());
        Assert.Empty(await ListAllRunsAsync(host));
    }

    private sealed class NoFaceScreener : FaceCraft4D.Stages.IPortraitScreener
    {
        public Task<FaceCraft4D.Stages.PortraitScreening> ScreenAsync(BinaryData image, CancellationToken cancellationToken) =>
            Task.FromResult(new FaceCraft4D.Stages.PortraitScreening(false, "no-face", "No face was found in the photo.", 0, "test-double", []));
    }

    private static async Task<List<string>> ListAllRunsAsync(LocalHostHarness host)
    {
        var runs = new List<string>();
        await foreach (var run in host.Runs.ListAsync(100, owner: null, CancellationToken.None))
        {
            runs.Add(run.RunId);
        }

        return runs;
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

    internal static MultipartFormDataContent Multipart(byte[] image, string fileName, string? settings)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "image", fileName);
        if (settings is not null)
        {
            form.Add(new StringContent(settings), "settings");
        }

        return form;
    }
}
