using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
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

    /// <inheritdoc />
    public async Task ScreenAsync(ValidatedPortrait portrait, CancellationToken cancellationToken)
    {
        if (!options.Value.ScreenFaces)
        {
            return;
        }

        var worker = workers.Value.ResolveBaseUrls()[0];
        var http = clients.CreateClient(HttpClientName);
        using var content = new ReadOnlyMemoryContent(portrait.Content.ToMemory());
        content.Headers.ContentType = new MediaTypeHeaderValue(portrait.MimeType);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(new Uri(worker, "api/portraits/screen"), content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException
                                      or Polly.CircuitBreaker.BrokenCircuitException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Face screening skipped: no worker answered ({Error}); the Preprocess stage will check the face.", e.Message);
            return;
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var (reason, message) = ScreenRefusalMessages.For(ReasonOf(body));
                logger.LogInformation("Face screening refused the photo ({Reason}); worker said: {WorkerDetail}", reason, body);
                throw new InvalidPortraitException(reason, message, 422);
            }

            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Face screening skipped: the worker answered {Status}; the Preprocess stage will check the face.", (int)response.StatusCode);
            }
        }
    }

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
