using System.Net;
using System.Net.Http.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FaceCraft4D.Pipeline.Tests;

/// <summary>The typed worker client with its real resilience pipeline, against a scripted HTTP handler.</summary>
public sealed class GpuWorkerClientTests
{
    private static readonly StageRequest Request = new(
        "fc4d-0123456789abcdef-01234567", PipelineStage.Preprocess, "0",
        new Dictionary<string, BlobRef> { ["input/portrait"] = new("runs", "p.jpg", "aa") }, PipelinePresets.Preview, new Dictionary<string, string>());

    [Fact]
    public async Task Transient_failures_are_retried_with_the_same_idempotency_key_until_an_answer_comes()
    {
        var script = new ScriptedHandler(
            _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            _ => new HttpResponseMessage(HttpStatusCode.TooManyRequests),
            _ => new HttpResponseMessage(HttpStatusCode.BadGateway),
            _ => Accepted());
        var client = Build(script);

        var reply = await client.SubmitJobAsync(Request, CancellationToken.None);

        Assert.Equal(4, reply.Attempts);
        Assert.Equal(JobState.Queued, reply.Value.State);
        Assert.All(script.Requests, r => Assert.Equal(Request.IdempotencyKey(), r.Headers.GetValues(GpuWorkerClient.IdempotencyHeader).Single()));
        Assert.All(script.Requests, r => Assert.EndsWith("/api/jobs/preprocess", r.RequestUri!.AbsolutePath));
    }

    [Fact]
    public async Task Not_implemented_and_bad_requests_are_answers_that_are_never_retried()
    {
        var notImplemented = new ScriptedHandler(_ => Problem(HttpStatusCode.NotImplemented, "no such stage yet"));
        var rejected = new ScriptedHandler(_ => Problem(HttpStatusCode.UnprocessableEntity, "no face"));

        var e1 = await Assert.ThrowsAsync<StageNotImplementedException>(() => Build(notImplemented).SubmitJobAsync(Request, CancellationToken.None));
        var e2 = await Assert.ThrowsAsync<StageInputRejectedException>(() => Build(rejected).SubmitJobAsync(Request, CancellationToken.None));

        Assert.Contains("no such stage yet", e1.Message);
        Assert.Contains("no face", e2.Message);
        Assert.Single(notImplemented.Requests);
        Assert.Single(rejected.Requests);
    }

    [Fact]
    public async Task A_hanging_worker_times_out_per_attempt_and_ends_as_unavailable_after_the_retries()
    {
        var script = new ScriptedHandler(_ => throw new InvalidOperationException("unused")) { Hang = true };

        var error = await Assert.ThrowsAsync<GpuWorkerUnavailableException>(() => Build(script, retries: 2).SubmitJobAsync(Request, CancellationToken.None));

        Assert.Equal(3, script.Requests.Count);
        Assert.Contains("3 attempts", error.Message);
    }

    [Fact]
    public async Task The_circuit_opens_after_consecutive_failures_and_stops_calling_the_worker()
    {
        var script = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.InternalServerError));
        var client = Build(script, retries: 10, breakAfter: 3);

        await Assert.ThrowsAsync<GpuWorkerUnavailableException>(() => client.SubmitJobAsync(Request, CancellationToken.None));

        Assert.Equal(3, script.Requests.Count);
    }

    [Fact]
    public async Task An_unknown_job_is_a_null_status_and_jobs_stick_to_one_of_several_workers()
    {
        var script = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var client = (GpuWorkerClient)Build(script, workers: "http://w1:1;http://w2:2");

        var reply = await client.GetJobAsync(Request, CancellationToken.None);

        Assert.Null(reply.Value);
        Assert.Equal(client.WorkerFor(Request.IdempotencyKey()), new Uri(script.Requests[0].RequestUri!.GetLeftPart(UriPartial.Authority) + "/"));
        var spread = Enumerable.Range(0, 200).Select(i => client.WorkerFor($"key-{i}").Host).GroupBy(h => h).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, spread.Count);
        Assert.All(spread.Values, n => Assert.InRange(n, 70, 130));
    }

    [Fact]
    public async Task A_long_poll_asks_the_worker_to_wait_at_most_half_an_attempt_timeout()
    {
        var script = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound), _ => new HttpResponseMessage(HttpStatusCode.NotFound));
        var client = Build(script);

        await client.WaitForJobAsync(Request, TimeSpan.FromSeconds(10), CancellationToken.None);
        await client.GetJobAsync(Request, CancellationToken.None);

        Assert.Equal("?wait=0.1", script.Requests[0].RequestUri!.Query); // AttemptTimeout 200 ms here
        Assert.Equal("", script.Requests[1].RequestUri!.Query);
    }

    private static IGpuWorkerClient Build(ScriptedHandler handler, int retries = 5, int breakAfter = 100, string workers = "http://worker:8080")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fc4d:GpuWorker:BaseUrl"] = workers,
            ["Fc4d:GpuWorker:RetryCount"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fc4d:GpuWorker:RetryBaseDelay"] = "00:00:00.001",
            ["Fc4d:GpuWorker:RetryMaxDelay"] = "00:00:00.005",
            ["Fc4d:GpuWorker:AttemptTimeout"] = "00:00:00.200",
            ["Fc4d:GpuWorker:CircuitBreakerFailures"] = breakAfter.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fc4d:GpuWorker:CircuitBreakDuration"] = "00:01:00",
            ["Fc4d:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddFc4dPipeline(configuration);
        services.AddHttpClient<IGpuWorkerClient, GpuWorkerClient>().ConfigurePrimaryHttpMessageHandler(() => handler);
        return services.BuildServiceProvider().GetRequiredService<IGpuWorkerClient>();
    }

    private static HttpResponseMessage Accepted() => new(HttpStatusCode.Accepted)
    {
        Content = JsonContent.Create(
            new JobStatus(Request.IdempotencyKey(), Request.Stage, JobState.Queued, null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
            options: ContractJson.Options),
    };

    private static HttpResponseMessage Problem(HttpStatusCode status, string detail) => new(status)
    {
        Content = JsonContent.Create(new { title = "problem", detail }),
    };

    /// <summary>Answers requests in order with the given responses (the last one repeats).</summary>
    private sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] responses) : HttpMessageHandler
    {
        private int calls;

        public List<HttpRequestMessage> Requests { get; } = [];

        public bool Hang { get; init; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }

            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var index = Math.Min(Interlocked.Increment(ref calls) - 1, responses.Length - 1);
            return responses[index](request);
        }
    }
}
