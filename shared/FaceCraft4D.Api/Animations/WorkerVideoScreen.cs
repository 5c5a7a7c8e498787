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

    private readonly WorkerScreenClient worker = new(clients, workers, HttpClientName);

    /// <inheritdoc />
    public async Task<VideoScreening> ScreenAsync(string path, string? fileName, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        using var content = new StreamContent(file, 81920);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = file.Length;
        var headers = string.IsNullOrWhiteSpace(fileName)
            ? null
            : new Dictionary<string, string> { [FileNameHeader] = Uri.EscapeDataString(Path.GetFileName(fileName)) };
        var answer = await worker.PostAsync(Route, content, headers, options.Value.ScreenTimeout, cancellationToken).ConfigureAwait(false);
        if (!answer.Answered)
        {
            logger.LogWarning("Video screening failed: no worker answered ({Error})", answer.Error);
            throw Unavailable();
        }

        if (answer.IsSuccess)
        {
            var verdict = JsonSerializer.Deserialize<VideoScreening>(answer.Body, ContractJson.Options);
            if (verdict is { Accepted: true })
            {
                return verdict;
            }

            logger.LogWarning("Video screening answered {Status} without an accepted verdict: {Body}", answer.StatusCode, answer.Body);
            throw Unavailable();
        }

        // A refusal is a 4xx problem document with a reason; a 4xx without one (an older worker without the route: 404/405)
        // means the video was not screened.
        if (answer.IsClientError && answer.RefusalReason is { } workerReason)
        {
            var (reason, message, _) = VideoRefusalMessages.For(workerReason);
            logger.LogInformation("Video screening refused the upload ({Reason}); worker said: {WorkerDetail}", reason, answer.Body);
            throw new InvalidAnimationRequestException(reason, message, answer.StatusCode!.Value);
        }

        logger.LogWarning("Video screening failed: the worker answered {Status}: {Body}", answer.StatusCode, answer.Body);
        throw Unavailable();
    }

    private static InvalidAnimationRequestException Unavailable() =>
        new("screen-unavailable", "The video cannot be checked right now (no GPU worker with a video reader answered); nothing was stored, try again later.", 503);
}
