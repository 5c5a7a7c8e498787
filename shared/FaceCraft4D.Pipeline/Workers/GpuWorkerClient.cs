using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// <see cref="IGpuWorkerClient"/> over a typed <see cref="HttpClient"/> whose handlers apply
/// <see cref="GpuWorkerPolicies"/>. Every call carries the request's idempotency key; a job sticks to the worker
/// chosen by a hash of that key, so submit and poll reach the same worker.
/// </summary>
public sealed class GpuWorkerClient(HttpClient http, IOptions<GpuWorkerOptions> options) : IGpuWorkerClient
{
    /// <summary>Header carrying the idempotency key.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    private readonly IReadOnlyList<Uri> workers = options.Value.ResolveBaseUrls();

    /// <inheritdoc />
    public async Task<WorkerReply<JobStatus>> SubmitJobAsync(StageRequest request, CancellationToken cancellationToken)
    {
        var key = request.IdempotencyKey();
        using var message = new HttpRequestMessage(HttpMethod.Post, JobsUri(request, key, withId: false))
        {
            Content = JsonContent.Create(request, options: ContractJson.Options),
        };
        var (response, attempts) = await SendAsync(message, key, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            await ThrowIfNotSuccessAsync(response, request, cancellationToken).ConfigureAwait(false);
            var status = await ReadStatusAsync(response, cancellationToken).ConfigureAwait(false);
            return new WorkerReply<JobStatus>(status, attempts);
        }
    }

    /// <inheritdoc />
    public Task<WorkerReply<JobStatus?>> GetJobAsync(StageRequest request, CancellationToken cancellationToken) =>
        WaitForJobAsync(request, TimeSpan.Zero, cancellationToken);

    /// <inheritdoc />
    public async Task<WorkerReply<JobStatus?>> WaitForJobAsync(StageRequest request, TimeSpan wait, CancellationToken cancellationToken)
    {
        var key = request.IdempotencyKey();
        // The worker holds the request at most this long: well inside one attempt's timeout, so a long poll is never retried as a timeout.
        var seconds = Math.Min(wait.TotalSeconds, options.Value.AttemptTimeout.TotalSeconds / 2);
        var uri = JobsUri(request, key, withId: true);
        if (seconds > 0)
        {
            uri = new Uri(uri + $"?wait={seconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, uri);
        var (response, attempts) = await SendAsync(message, key, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return new WorkerReply<JobStatus?>(null, attempts);
            }

            await ThrowIfNotSuccessAsync(response, request, cancellationToken).ConfigureAwait(false);
            return new WorkerReply<JobStatus?>(await ReadStatusAsync(response, cancellationToken).ConfigureAwait(false), attempts);
        }
    }

    /// <inheritdoc />
    public async Task<StageImplementation?> GetStageImplementationAsync(StageRequest request, CancellationToken cancellationToken)
    {
        // Routed by the work item (run, stage, key): the stamp changes the idempotency key, so it cannot route by that.
        var key = $"{request.RunId}.{request.Stage.Slug()}.{request.Key}";
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(WorkerFor(key), $"api/stages/{request.Stage.Slug()}/implementation"));
        var (response, _) = await SendAsync(message, key, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotImplemented)
            {
                return null;
            }

            await ThrowIfNotSuccessAsync(response, request, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync<StageImplementation>(ContractJson.Options, cancellationToken).ConfigureAwait(false)
                   ?? throw new GpuWorkerUnavailableException("The GPU worker answered with an empty stage implementation.");
        }
    }

    /// <inheritdoc />
    public Task CancelJobAsync(StageRequest request, CancellationToken cancellationToken) => CancelJobAsync(JobKey.For(request), cancellationToken);

    /// <inheritdoc />
    public async Task CancelJobAsync(JobKey job, CancellationToken cancellationToken)
    {
        var key = job.Id;
        using var message = new HttpRequestMessage(HttpMethod.Delete, new Uri(WorkerFor(key), $"api/jobs/{job.Stage.Slug()}/{Uri.EscapeDataString(key)}"));
        var (response, _) = await SendAsync(message, key, cancellationToken).ConfigureAwait(false);
        response.Dispose();
    }

    /// <summary>The worker that owns a job key (stable hash, so every call of a job reaches the same worker).</summary>
    public Uri WorkerFor(string idempotencyKey)
    {
        var hash = ContentHash.OfText(idempotencyKey);
        var bucket = Convert.ToUInt32(hash[..8], 16) % (uint)workers.Count;
        return workers[(int)bucket];
    }

    private Uri JobsUri(StageRequest request, string key, bool withId)
    {
        var path = $"api/jobs/{request.Stage.Slug()}" + (withId ? $"/{Uri.EscapeDataString(key)}" : string.Empty);
        return new Uri(WorkerFor(key), path);
    }

    private async Task<(HttpResponseMessage Response, int Attempts)> SendAsync(
        HttpRequestMessage message, string key, CancellationToken cancellationToken)
    {
        var counter = new StrongBox<int>(0);
        message.Options.Set(AttemptCountingHandler.CounterKey, counter);
        message.Headers.Add(IdempotencyHeader, key);
        try
        {
            var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return (response, counter.Value);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                      || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new GpuWorkerUnavailableException(
                $"GPU worker {message.RequestUri?.GetLeftPart(UriPartial.Authority)} unreachable after {counter.Value} attempts: {e.Message}", e);
        }
    }

    private static async Task ThrowIfNotSuccessAsync(HttpResponseMessage response, StageRequest request, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await ReadProblemDetailAsync(response, cancellationToken).ConfigureAwait(false);
        var where = $"stage {request.Stage.Slug()} ({request.Key})";
        throw response.StatusCode switch
        {
            HttpStatusCode.NotImplemented => new StageNotImplementedException($"The GPU worker cannot run {where} yet: {detail}"),
            HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity
                => new StageInputRejectedException($"The GPU worker rejected {where}: {detail}"),
            _ => new GpuWorkerUnavailableException($"The GPU worker failed {where} with HTTP {(int)response.StatusCode}: {detail}"),
        };
    }

    private static async Task<string> ReadProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return detail.GetString()!;
            }
        }
        catch (JsonException)
        {
            // not a problem document: fall back to the raw text
        }

        return string.IsNullOrWhiteSpace(text) ? response.ReasonPhrase ?? response.StatusCode.ToString() : text;
    }

    private static async Task<JobStatus> ReadStatusAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<JobStatus>(ContractJson.Options, cancellationToken).ConfigureAwait(false)
        ?? throw new GpuWorkerUnavailableException("The GPU worker answered with an empty job status.");
}
