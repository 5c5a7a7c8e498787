using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// Posts an upload to one of a GPU worker's screen routes (the first configured worker) and reads the answer: the part
/// the portrait and the video screens share. What an answer means (a refusal, go ahead, not screened) is theirs to say.
/// A worker that cannot be reached, a failed connection or the time running out is <see cref="WorkerScreenAnswer.None"/>,
/// never an exception; the caller's own cancellation still throws.
/// </summary>
/// <param name="clients">Creates the named HTTP client (with whatever policies its registration gave it).</param>
/// <param name="workers">Where the workers are.</param>
/// <param name="httpClientName">The HTTP client's name.</param>
public sealed class WorkerScreenClient(IHttpClientFactory clients, IOptions<GpuWorkerOptions> workers, string httpClientName)
{
    /// <summary>Posts <paramref name="content"/> to <paramref name="route"/> (relative to the worker's base URL).</summary>
    /// <param name="route">The worker route, e.g. <c>screen/video</c>.</param>
    /// <param name="content">The upload; the caller sets its headers and disposes it.</param>
    /// <param name="headers">Request headers to add (values as they go on the wire).</param>
    /// <param name="timeout">Longest the call (answer and body) may take; none when null.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    public async Task<WorkerScreenAnswer> PostAsync(
        string route, HttpContent content, IEnumerable<KeyValuePair<string, string>>? headers, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var worker = workers.Value.ResolveBaseUrls()[0];
        var http = clients.CreateClient(httpClientName);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(worker, route)) { Content = content };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            return new WorkerScreenAnswer((int)response.StatusCode, body, null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or Polly.Timeout.TimeoutRejectedException
                                      or Polly.CircuitBreaker.BrokenCircuitException && !cancellationToken.IsCancellationRequested)
        {
            return WorkerScreenAnswer.None(e.Message);
        }
    }
}
