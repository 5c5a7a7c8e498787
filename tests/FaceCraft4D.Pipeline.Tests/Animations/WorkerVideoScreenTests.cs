using System.Net;
using System.Text;
using FaceCraft4D.Api.Animations;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests.Animations;

/// <summary>The API's client of the worker's <c>POST /screen/video</c>: verdicts, refusals with stable messages, and "not screened".</summary>
public sealed class WorkerVideoScreenTests : IDisposable
{
    private readonly string video = Path.Combine(Path.GetTempPath(), $"fc4d-screen-test-{Guid.NewGuid():N}.mp4");

    public WorkerVideoScreenTests() => File.WriteAllBytes(video, Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray());

    public void Dispose() => File.Delete(video);

    [Fact]
    public async Task An_accepted_verdict_comes_back_and_the_whole_file_was_sent_with_its_name()
    {
        var verdict = new VideoScreening(true, null, "ok", 4.2, 640, 480, "hevc", 29.97, true, 8, 8, 1, "ffprobe+tiny", []);
        var handler = new Worker(HttpStatusCode.OK, BinaryData.FromObjectAsJson(verdict, ContractJson.Options).ToString());

        var screened = await Screen(handler).ScreenAsync(video, "my clip.MOV", CancellationToken.None);

        Assert.Equal(verdict with { Warnings = screened.Warnings }, screened);
        Assert.Equal("http://worker.test/screen/video", handler.Uri!.ToString());
        Assert.Equal(5000, handler.Received);
        Assert.Equal("my%20clip.MOV", handler.FileName);
    }

    [Fact]
    public async Task A_refusal_keeps_the_workers_reason_and_status_but_not_its_text()
    {
        var handler = new Worker(HttpStatusCode.UnprocessableEntity, """{"title":"x","detail":"/tmp/fc4d-screen-1/video.mp4: moov atom not found","reason":"no-face"}""");

        var e = await Assert.ThrowsAsync<InvalidAnimationRequestException>(() => Screen(handler).ScreenAsync(video, null, CancellationToken.None));

        Assert.Equal(("no-face", 422), (e.ReasonCode, e.StatusCode));
        Assert.DoesNotContain("/tmp", e.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "")]
    [InlineData(HttpStatusCode.NotImplemented, """{"title":"No video screening"}""")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "")]
    public async Task A_worker_that_cannot_screen_is_a_503_not_a_refusal(HttpStatusCode status, string body)
    {
        var e = await Assert.ThrowsAsync<InvalidAnimationRequestException>(() => Screen(new Worker(status, body)).ScreenAsync(video, null, CancellationToken.None));

        Assert.Equal(("screen-unavailable", 503), (e.ReasonCode, e.StatusCode));
    }

    private static WorkerVideoScreen Screen(HttpMessageHandler handler) => new(
        new OneClientFactory(handler), Options.Create(new GpuWorkerOptions { BaseUrl = "http://worker.test/" }),
        Options.Create(new AnimationOptions()), NullLogger<WorkerVideoScreen>.Instance);

    private sealed class OneClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class Worker(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public Uri? Uri { get; private set; }

        public long Received { get; private set; }

        public string? FileName { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uri = request.RequestUri;
            Received = (await request.Content!.ReadAsByteArrayAsync(cancellationToken)).Length;
            FileName = request.Headers.TryGetValues(WorkerVideoScreen.FileNameHeader, out var values) ? values.Single() : null;
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json") };
        }
    }
}
