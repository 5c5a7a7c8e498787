using System.Net;
using System.Text;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Options;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>The worker-screen client both screens share: an answer, a refusal's reason, and "no answer" instead of an exception.</summary>
public sealed class WorkerScreenClientTests
{
    [Fact]
    public async Task An_answer_keeps_status_and_body_and_the_request_carries_the_route_content_and_headers()
    {
        HttpRequestMessage? seen = null;
        string? sentBody = null;
        var client = Client(async (request, ct) =>
        {
            seen = request;
            sentBody = await request.Content!.ReadAsStringAsync(ct);
            return Reply(HttpStatusCode.UnprocessableEntity, """{"title":"x","reason":"no-face"}""");
        });
        using var content = new StringContent("upload");

        var answer = await client.PostAsync("screen/video", content, new Dictionary<string, string> { ["X-Test"] = "a%20b" }, null, CancellationToken.None);

        Assert.Equal((422, "no-face", true, false, true), (answer.StatusCode!.Value, answer.RefusalReason, answer.Answered, answer.IsSuccess, answer.IsClientError));
        Assert.Equal("http://worker.test/screen/video", seen!.RequestUri!.ToString());
        Assert.Equal(HttpMethod.Post, seen.Method);
        Assert.Equal("a%20b", seen.Headers.GetValues("X-Test").Single());
        Assert.Equal("upload", sentBody);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>Traceback</html>")]
    [InlineData("""["reason"]""")]
    [InlineData("""{"reason": 42}""")]
    public void A_body_that_is_no_problem_document_with_a_reason_has_no_refusal_reason(string body) =>
        Assert.Null(new WorkerScreenAnswer(422, body, null).RefusalReason);

    [Fact]
    public async Task A_failed_connection_is_no_answer_not_an_exception()
    {
        var client = Client((_, _) => throw new HttpRequestException("Connection refused (worker.test:80)"));
        using var content = new StringContent("upload");

        var answer = await client.PostAsync("api/portraits/screen", content, null, null, CancellationToken.None);

        Assert.False(answer.Answered);
        Assert.Contains("Connection refused", answer.Error);
    }

    [Fact]
    public async Task A_worker_slower_than_the_timeout_is_no_answer_but_the_callers_cancel_still_throws()
    {
        var client = Client(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Reply(HttpStatusCode.OK, "{}");
        });
        using var content = new StringContent("upload");

        Assert.False((await client.PostAsync("screen/video", content, null, TimeSpan.FromMilliseconds(50), CancellationToken.None)).Answered);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var again = new StringContent("upload");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostAsync("screen/video", again, null, null, cancelled.Token));
    }

    private static WorkerScreenClient Client(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> worker) =>
        new(new OneClientFactory(new Handler(worker)), Options.Create(new GpuWorkerOptions { BaseUrl = "http://worker.test/" }), "test-screen");

    private static HttpResponseMessage Reply(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json") };

    private sealed class OneClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    private sealed class Handler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            answer(request, cancellationToken);
    }
}
