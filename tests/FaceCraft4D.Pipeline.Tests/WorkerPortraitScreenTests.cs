using System.Net;
using System.Text;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>A worker's face-screen refusal reaches clients as a stable reason and message, never as the worker's raw text.</summary>
public sealed class WorkerPortraitScreenTests
{
    private const string RawWorkerText = "SixLabors.ImageSharp.InvalidImageContentException at /srv/models/scrfd.onnx line 42";

    [Theory]
    [InlineData("no-face", "no-face")]
    [InlineData("face_too_small", "face-too-small")]
    [InlineData("extreme-rotation", "extreme-rotation")]
    [InlineData("invalid-image", "invalid-image")]
    [InlineData("cuda-out-of-memory", "unusable-photo")]
    public async Task A_refusal_keeps_a_known_reason_and_replaces_the_workers_detail(string workerReason, string expectedReason)
    {
        var screen = Screen($$"""{"title": "Photo cannot be used", "detail": "{{RawWorkerText}}", "reason": "{{workerReason}}"}""");

        var error = await Assert.ThrowsAsync<InvalidPortraitException>(() => screen.ScreenAsync(Portrait(), CancellationToken.None));

        Assert.Equal(422, error.StatusCode);
        Assert.Equal(expectedReason, error.ReasonCode);
        Assert.DoesNotContain("ImageSharp", error.Message);
        Assert.DoesNotContain("/srv", error.Message);
        Assert.True(error.Message.Length > 20, error.Message);
    }

    [Fact]
    public async Task A_refusal_whose_body_is_not_json_is_an_unusable_photo_not_a_server_error()
    {
        var screen = Screen("<html>Traceback (most recent call last): ...</html>");

        var error = await Assert.ThrowsAsync<InvalidPortraitException>(() => screen.ScreenAsync(Portrait(), CancellationToken.None));

        Assert.Equal(ScreenRefusalMessages.UnusablePhoto, error.ReasonCode);
        Assert.DoesNotContain("Traceback", error.Message);
    }

    private static ValidatedPortrait Portrait() => new(new BinaryData(TestPortraits.Jpeg(1)), "sha", "jpeg", "image/jpeg", 256, 256);

    private static WorkerPortraitScreen Screen(string refusalBody) =>
        new(new OneClientFactory(new RefusingHandler(refusalBody)),
            Options.Create(new GpuWorkerOptions { BaseUrl = "http://worker.test/" }),
            Options.Create(new PortraitValidationOptions { ScreenFaces = true }),
            NullLogger<WorkerPortraitScreen>.Instance);

    private sealed class OneClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class RefusingHandler(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.UnprocessableEntity)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/problem+json"),
            });
    }
}
