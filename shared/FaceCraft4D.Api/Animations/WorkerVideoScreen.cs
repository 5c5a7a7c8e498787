using System.Net.Http.Headers;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Api.Animations;

/// <summary>
/// Asks a GPU worker (<c>POST /screen/video</c>, the file as the body) to probe the video and look for faces on sampled
/// frames. Unlike the portrait screen, a video cannot go ahead unscreened: the job's chunks are planned from the
/// worker's probe, so no worker (or a worker without the video reader) is a 503 and nothing is stored. One attempt, no
/// HTTP retries (the body is a stream of up to hundreds of MB); the caller may simply submit again.
/// </summary>
public sealed class WorkerVideoScreen(
    IHttpClientFactory clients, IOptions<GpuWorkerOptions> workers, IOptions<AnimationOptions> options, ILogger<WorkerVideoScreen> logger)
    : IVideoScreen
{
    /// <summary>Name of the HTTP client.</summary>
    public const string HttpClientName = "fc4d-video-screen";

    /// <summary>The worker route.</summary>
    public const string Route = "screen/video";

    /// <summary>Header carrying the uploaded file name (for the container guess of the probe; display only).</summary>
    public const string FileNameHeader = "X-Fc4d-File-Name";

    /// <inheritdoc />
    public async Task<VideoScreening> ScreenAsync(string path, string? fileName, CancellationToken cancellationToken)
    {
        var worker = workers.Value.ResolveBaseUrls()[0];
        var http = clients.CreateClient(HttpClientName);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.ScreenTimeout);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(worker, Route)) { Content = new StreamContent(file, 81920) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Content.Headers.ContentLength = file.Length;
        if (!string.IsNullOrWhiteSpace(fileName))
        {
            request.Headers.TryAddWithoutValidation(FileNameHeader, Uri.EscapeDataString(Path.GetFileName(fileName)));
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Video screening failed: no worker answered ({Error})", e.Message);
            throw Unavailable();
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                var verdict = JsonSerializer.Deserialize<VideoScreening>(body, ContractJson.Options);
                if (verdict is { Accepted: true })
                {
                    return verdict;
                }

                logger.LogWarning("Video screening answered {Status} without an accepted verdict: {Body}", (int)response.StatusCode, body);
                throw Unavailable();
            }

            // A refusal is a 4xx problem document with a reason; a 4xx without one (an older worker without the route: 404/405)
            // means the video was not screened.
            if ((int)response.StatusCode is >= 400 and < 500 && ReasonOf(body) is { } workerReason)
            {
                var (reason, message, _) = VideoRefusalMessages.For(workerReason);
                logger.LogInformation("Video screening refused the upload ({Reason}); worker said: {WorkerDetail}", reason, body);
                throw new InvalidAnimationRequestException(reason, message, (int)response.StatusCode);
            }

            logger.LogWarning("Video screening failed: the worker answered {Status}: {Body}", (int)response.StatusCode, body);
            throw Unavailable();
        }
    }

    private static InvalidAnimationRequestException Unavailable() =>
        new("screen-unavailable", "The video cannot be checked right now (no GPU worker with a video reader answered); nothing was stored, try again later.", 503);

    private static string? ReasonOf(string problemJson)
    {
        try
        {
            using var problem = JsonDocument.Parse(problemJson);
            return problem.RootElement.ValueKind == JsonValueKind.Object
                   && problem.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
                ? reason.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
