using System.Diagnostics;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Warmup;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Stages;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker.Jobs;

/// <summary>
/// Runs the first-use paths of a job once when the worker starts, in the background, so the first real job pays no JIT
/// or connection set-up: the JSON contract types a submission, a status and a job record use (both the HTTP layer's
/// options and <see cref="ContractJson"/>), the handler look-up and implementation description of every stage, and the
/// storage reads a job makes (its ledger record, its run's termination marker, its checkpoint) for a work item that
/// does not exist. It only reads: nothing is written to storage and no job is created. Readiness does not wait for it
/// (the health endpoint answers at once and reports <see cref="IsWarm"/>); a failure is logged and changes nothing.
/// </summary>
public sealed class JobPathWarmup(
    StageHandlerCatalog handlers,
    StageImplementations implementations,
    JobLedger ledger,
    CheckpointStore checkpoints,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> httpJson,
    IOptions<WorkerOptions> options,
    ILogger<JobPathWarmup> logger,
    RunTerminationMarker? terminations = null) : BackgroundService
{
    /// <summary>The run id the warm-up reads for (<see cref="StartupWarmup.WarmupRunId"/>).</summary>
    public const string WarmupRunId = StartupWarmup.WarmupRunId;

    private readonly StartupWarmup run = new();

    /// <summary>True once the warm-up has run (or was switched off, or failed).</summary>
    public bool IsWarm => run.IsDone;

    /// <summary>Completes when the warm-up has run.</summary>
    public Task Completion => run.Completion;

    /// <summary>The request the warm-up reads for: a preprocess work item of <see cref="WarmupRunId"/>.</summary>
    public static StageRequest WarmupRequest(PipelineStage stage = PipelineStage.Preprocess) => new(
        WarmupRunId, stage, "0",
        new Dictionary<string, BlobRef> { ["portrait"] = StorageLayout.RunInput(WarmupRunId, "portrait.jpg") },
        PipelinePresets.Preview, new Dictionary<string, string>());

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        run.RunAsync(options.Value.WarmUp, WarmAsync, logger, "The job path warm-up failed; the first job pays its first-use cost", stoppingToken);

    private async Task WarmAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var request = WarmupRequest() with { Implementation = "warmup" };
        foreach (var json in new[] { ContractJson.Options, httpJson.Value.SerializerOptions })
        {
            var text = System.Text.Json.JsonSerializer.Serialize(request, json);
            _ = System.Text.Json.JsonSerializer.Deserialize<StageRequest>(text, json);
            var job = new WorkerJob(request.IdempotencyKey(), request, DateTimeOffset.UnixEpoch);
            _ = System.Text.Json.JsonSerializer.Serialize(job.ToStatus(), json);
        }

        var entry = new JobLedgerEntry(new WorkerJob(request.IdempotencyKey(), request, DateTimeOffset.UnixEpoch).ToStatus(), "warmup", DateTimeOffset.UnixEpoch);
        _ = BinaryData.FromObjectAsJson(entry, ContractJson.Options).ToObjectFromJson<JobLedgerEntry>(ContractJson.Options);

        // Every stage's handler and implementation (the weights listing is a storage read; the same call answers the host's stamp).
        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            if (handlers.Find(stage) is not null)
            {
                _ = await implementations.DescribeAsync(stage, cancellationToken).ConfigureAwait(false);
            }
        }

        // The reads a submission and a job start make, for a work item that does not exist.
        _ = await ledger.ReadAsync(JobKey.For(request), cancellationToken).ConfigureAwait(false);
        if (terminations is not null)
        {
            _ = await terminations.FindAsync(request.RunId, cancellationToken).ConfigureAwait(false);
        }

        _ = await checkpoints.TryGetValidAsync(request, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job path warmed up in {Elapsed} ms", clock.ElapsedMilliseconds);
    }
}
