using System.Diagnostics;
using System.Net.Http.Json;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Orchestration;
using FaceCraft4D.Pipeline.Warmup;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.LocalHost.Warmup;

/// <summary>
/// Runs the local host's first-use paths once when it starts, in the background, so the first run pays no JIT or
/// connection set-up on its critical path (<c>./fc4d bench plan</c>: the run's time outside stage work):
/// <list type="number">
/// <item>the run orchestrator, from its start to its first sub-orchestrations (the enhance-view fan-out), and a job
/// sub-orchestration's submit and first timer, replayed in memory (<see cref="InMemoryOrchestrationDriver"/>), which also
/// runs the contract types through the durable JSON converter;</item>
/// <item>the GPU worker: waits until its own job-path warm-up has run (its <c>/healthz</c> says <c>warm</c>);</item>
/// <item>an activity's calls, for a work item that does not exist: the implementation stamp through the typed worker
/// client (opening its connection), the checkpoint look-up, and a submission body and a job status through
/// <see cref="ContractJson"/>.</item>
/// </list>
/// It only reads: nothing is written to storage, no orchestration instance or job is created. The host's start does
/// not wait for it; the CLI waits for it (bounded by <see cref="LocalStackOptions.WarmUpWait"/>) before it submits a run.
/// A failure is logged and changes nothing.
/// </summary>
public sealed class FirstUseWarmup(
    IServiceProvider services,
    IOptions<LocalStackOptions> options,
    IOptions<GpuWorkerOptions> workerOptions,
    IOptions<PipelineOptions> pipelineOptions,
    IHttpClientFactory httpClients,
    ILogger<FirstUseWarmup> logger) : BackgroundService
{
    /// <summary>The run id the warm-up reads for (<see cref="StartupWarmup.WarmupRunId"/>).</summary>
    public const string WarmupRunId = StartupWarmup.WarmupRunId;

    private readonly StartupWarmup run = new();

    /// <summary>Completes when the warm-up has run (or was switched off, or failed).</summary>
    public Task Completion => run.Completion;

    /// <summary>Waits for the warm-up, at most <paramref name="limit"/>; true when it finished in time.</summary>
    public async Task<bool> WaitAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await Completion.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        run.RunAsync(options.Value.WarmUp, WarmAsync, logger, "The local host's warm-up failed; the first run pays its first-use costs", stoppingToken);

    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var input = new RunInput(
            WarmupRunId, StorageLayout.RunInput(WarmupRunId, "portrait.jpg"), PipelinePresets.Preview, pipelineOptions.Value.ToRunPolicy(), RunSource.Cli);
        // Each part on its own: one that fails (logged) does not keep the others from running.
        await PartAsync("orchestration replay", () => { ReplayOrchestrations(input); return Task.CompletedTask; }).ConfigureAwait(false);
        var replayed = clock.ElapsedMilliseconds;
        await PartAsync("worker wait", () => WaitForWorkersAsync(cancellationToken)).ConfigureAwait(false);
        var workers = clock.ElapsedMilliseconds;
        await PartAsync("activity path", () => CallActivityPathAsync(input, cancellationToken)).ConfigureAwait(false);
        logger.LogInformation("Warm-up: orchestrations {Replay} ms, workers warm at {Workers} ms, activity path done at {Total} ms",
            replayed, workers, clock.ElapsedMilliseconds);
    }

    private async Task PartAsync(string name, Func<Task> part)
    {
        try
        {
            await part().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Warm-up part {Part} failed; the first run pays its first-use cost", name);
        }
    }

    /// <summary>The run orchestrator up to its first sub-orchestrations, and a job sub-orchestration up to its first timer.</summary>
    private void ReplayOrchestrations(RunInput input)
    {
        var driver = new InMemoryOrchestrationDriver(services);
        var start = DateTime.UtcNow;
        driver.Run<RunInput, RunOutput>(
            DurableNames.AvatarRunOrchestrator, AvatarRunOrchestrator.RunAsync, input,
            (name, json) => name == DurableNames.SubmitStageJobActivity
                ? new JobPoll(JobState.Queued, new JobProgress(0, 1, "queued"), null, Resubmitted: false, WorkerCalls: 1) // jobs the run submits itself
                : driver.Read<StageRequest>(json) is { } request
                ? new StageOutcome(request.Stage, request.Key, new Dictionary<string, BlobRef>(), "warmup", Reused: false, DurationMs: 0, WorkerCalls: 1,
                    new StageWork(start, start, start, null, null))
                : null,
            maxSteps: 8, start);

        var job = new StageJobInput(StageRequestFor(input, PipelineStage.EnhanceView, "view-01"), input.Policy);
        driver.Run<StageJobInput, StageOutcome>(
            DurableNames.StageJobOrchestrator, StageJobOrchestrator.RunAsync, job,
            (_, _) => new JobPoll(JobState.Queued, new JobProgress(0, 1, "queued"), null, Resubmitted: false, WorkerCalls: 1),
            maxSteps: 2, start);
    }

    /// <summary>Until every worker's job path is warm (its own start-up warm-up), at most <see cref="LocalStackOptions.WarmUpWait"/>.</summary>
    private async Task WaitForWorkersAsync(CancellationToken cancellationToken)
    {
        using var http = httpClients.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(2);
        var deadline = Stopwatch.StartNew();
        foreach (var worker in workerOptions.Value.ResolveBaseUrls())
        {
            while (deadline.Elapsed < options.Value.WarmUpWait)
            {
                try
                {
                    var health = await http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(new Uri(worker, "healthz"), cancellationToken).ConfigureAwait(false);
                    if (health?["warm"] is not { } warm || warm.GetValue<bool>())
                    {
                        break; // warm, or a worker without a warm-up
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException
                                          && !cancellationToken.IsCancellationRequested)
                {
                    break; // a worker that does not answer is the run's problem, not the warm-up's
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An activity's calls for a work item that does not exist: stamp, checkpoint look-up, request and status JSON.</summary>
    private async Task CallActivityPathAsync(RunInput input, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var worker = scope.ServiceProvider.GetRequiredService<IGpuWorkerClient>();
        var checkpoints = scope.ServiceProvider.GetRequiredService<CheckpointStore>();
        var request = StageRequestFor(input, PipelineStage.Preprocess, "0");
        if (await worker.GetStageImplementationAsync(request, cancellationToken).ConfigureAwait(false) is { } implementation)
        {
            request = request with { Implementation = implementation.Id };
        }

        _ = await checkpoints.TryGetValidAsync(request, cancellationToken).ConfigureAwait(false);
        using var body = JsonContent.Create(request, options: ContractJson.Options);
        await body.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var status = new JobStatus(request.IdempotencyKey(), request.Stage, JobState.Queued, new JobProgress(0, 1), null, null, null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        using var answer = JsonContent.Create(status, options: ContractJson.Options);
        _ = await answer.ReadFromJsonAsync<JobStatus>(ContractJson.Options, cancellationToken).ConfigureAwait(false);
    }

    private static StageRequest StageRequestFor(RunInput input, PipelineStage stage, string key) => new(
        input.RunId, stage, key, new Dictionary<string, BlobRef> { ["portrait"] = input.Portrait }, input.Settings, new Dictionary<string, string>());
}
