using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FaceCraft4D.Pipeline.Workers;

/// <summary>
/// The resilience policies of GPU worker calls: retry with jittered exponential backoff on 429/5xx/408,
/// connection errors and attempt timeouts; a circuit breaker per worker; a timeout per attempt.
/// 501 (not implemented) and 4xx other than 408/429 are answers, not faults, and are never retried.
/// </summary>
public sealed class GpuWorkerPolicies(IOptions<GpuWorkerOptions> options, ILogger<GpuWorkerPolicies> logger)
{
    private readonly ConcurrentDictionary<string, AsyncCircuitBreakerPolicy<HttpResponseMessage>> breakers = new();
    private readonly GpuWorkerOptions settings = options.Value;

    /// <summary>Retry: outermost.</summary>
    public IAsyncPolicy<HttpResponseMessage> Retry => Policy<HttpResponseMessage>
        .Handle<HttpRequestException>()
        .Or<TimeoutRejectedException>()
        .Or<BrokenCircuitException>()
        .OrResult(IsTransient)
        .WaitAndRetryAsync(
            settings.RetryCount,
            (attempt, outcome, _) => JitteredDelay(attempt, outcome.Result),
            (outcome, delay, attempt, _) =>
            {
                logger.LogWarning(
                    "GPU worker call failed ({Reason}); retry {Attempt}/{Max} in {Delay} ms",
                    outcome.Exception?.GetType().Name ?? ((int?)outcome.Result?.StatusCode)?.ToString(),
                    attempt, settings.RetryCount, (int)delay.TotalMilliseconds);
                return Task.CompletedTask;
            });

    /// <summary>Per-attempt timeout: innermost of the policies.</summary>
    public IAsyncPolicy<HttpResponseMessage> AttemptTimeout =>
        Policy.TimeoutAsync<HttpResponseMessage>(settings.AttemptTimeout, TimeoutStrategy.Optimistic);

    /// <summary>True for answers worth retrying: 408, 429 and 5xx except 501.</summary>
    public static bool IsTransient(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.NotImplemented);

    /// <summary>The circuit breaker of the worker a request goes to.</summary>
    public IAsyncPolicy<HttpResponseMessage> CircuitBreakerFor(HttpRequestMessage request) =>
        breakers.GetOrAdd(request.RequestUri?.GetLeftPart(UriPartial.Authority) ?? string.Empty, _ => Policy<HttpResponseMessage>
            .Handle<HttpRequestException>()
            .Or<TimeoutRejectedException>()
            .OrResult(IsTransient)
            .CircuitBreakerAsync(
                settings.CircuitBreakerFailures,
                settings.CircuitBreakDuration,
                (outcome, wait) => logger.LogWarning("GPU worker circuit opened for {Seconds} s", wait.TotalSeconds),
                () => logger.LogInformation("GPU worker circuit closed")));

    private TimeSpan JitteredDelay(int attempt, HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter?.Delta is { } retryAfter && retryAfter <= settings.RetryMaxDelay)
        {
            return retryAfter;
        }

        var exponential = settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, settings.RetryMaxDelay.TotalMilliseconds);
        var jittered = (capped / 2) + (Random.Shared.NextDouble() * capped / 2); // "equal jitter"
        return TimeSpan.FromMilliseconds(jittered);
    }
}
