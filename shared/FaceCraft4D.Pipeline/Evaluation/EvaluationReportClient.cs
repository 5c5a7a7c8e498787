using System.Net;
using System.Net.Http.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Evaluation;

/// <summary>
/// Has a GPU worker compose an evaluation batch's report (<c>POST /api/evaluation-reports</c>; the set-level FID
/// needs the metric library, which lives with the workers, not in the Functions app).
/// </summary>
public sealed class EvaluationReportClient(IHttpClientFactory clients, IOptions<GpuWorkerOptions> workers)
{
    /// <summary>Name of the HTTP client (with the worker resilience policies).</summary>
    public const string HttpClientName = "fc4d-evaluation-reports";

    /// <summary>Writes the report; returns its blobs.</summary>
    public async Task<List<BlobRef>> WriteAsync(EvaluationReportRequest request, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(HttpClientName);
        var worker = workers.Value.ResolveBaseUrls()[0];
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(new Uri(worker, "api/evaluation-reports"), request, ContractJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException
                                      or Polly.CircuitBreaker.BrokenCircuitException && !cancellationToken.IsCancellationRequested)
        {
            throw new GpuWorkerUnavailableException($"No GPU worker answered for the evaluation report: {e.Message}", e);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.NotImplemented or HttpStatusCode.BadRequest)
            {
                throw new PermanentStageException(
                    $"The GPU worker cannot write the evaluation report (HTTP {(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new GpuWorkerUnavailableException($"The GPU worker failed the evaluation report with HTTP {(int)response.StatusCode}.");
            }

            return await response.Content.ReadFromJsonAsync<List<BlobRef>>(ContractJson.Options, cancellationToken).ConfigureAwait(false) ?? [];
        }
    }
}
