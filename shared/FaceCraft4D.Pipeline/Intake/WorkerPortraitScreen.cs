using System.Net.Http.Headers;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// Asks a GPU worker's face detector (<c>POST /api/portraits/screen</c>) whether the photo shows a usable face.
/// A worker without a detector (501), or no worker reachable after the retries, does not block the submission:
/// the Preprocess stage makes the same check and fails the run with the same reason (logged here as a warning).
/// </summary>
public sealed class WorkerPortraitScreen(
    IHttpClientFactory clients, IOptions<GpuWorkerOptions> workers, IOptions<PortraitValidationOptions> options, ILogger<WorkerPortraitScreen> logger)
    : IPortraitScreen
{
    /// <summary>Name of the HTTP client (with the worker resilience policies).</summary>
    public const string HttpClientName = "fc4d-portrait-screen";

    private readonly WorkerScreenClient worker = new(clients, workers, HttpClientName);

    /// <inheritdoc />
    public async Task ScreenAsync(ValidatedPortrait portrait, CancellationToken cancellationToken)
    {
        if (!options.Value.ScreenFaces)
        {
            return;
        }

        using var content = new ReadOnlyMemoryContent(portrait.Content.ToMemory());
        content.Headers.ContentType = new MediaTypeHeaderValue(portrait.MimeType);
        var answer = await worker.PostAsync("api/portraits/screen", content, headers: null, timeout: null, cancellationToken).ConfigureAwait(false);
        if (!answer.Answered)
        {
            logger.LogWarning("Face screening skipped: no worker answered ({Error}); the Preprocess stage will check the face.", answer.Error);
            return;
        }

        if (answer.StatusCode == 422)
        {
            var (reason, message) = ScreenRefusalMessages.For(answer.RefusalReason);
            logger.LogInformation("Face screening refused the photo ({Reason}); worker said: {WorkerDetail}", reason, answer.Body);
            throw new InvalidPortraitException(reason, message, 422);
        }

        if (!answer.IsSuccess)
        {
            logger.LogWarning("Face screening skipped: the worker answered {Status}; the Preprocess stage will check the face.", answer.StatusCode);
        }
    }
}
