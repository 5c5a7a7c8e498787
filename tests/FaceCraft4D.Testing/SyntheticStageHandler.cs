using FaceCraft4D.Contracts;
using FaceCraft4D.Metrics;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Stages;

namespace FaceCraft4D.Testing;

/// <summary>
/// Test double for the GPU work of one stage: checks that its declared inputs arrived, waits a configurable
/// time (reporting progress), writes small outputs (Export also writes avatar files) and records the execution.
/// </summary>
public sealed class SyntheticStageHandler(PipelineStage stage, ExecutionLedger ledger, TimeSpan duration) : IStageHandler
{
    /// <inheritdoc />
    public PipelineStage Stage { get; } = stage;

    /// <inheritdoc />
    public IReadOnlyList<string> Backends { get; } = ["synthetic"];

    /// <inheritdoc />
    public int ImplementationVersion { get; init; } = 1;

    /// <inheritdoc />
    public IReadOnlyList<string> WeightPaths { get; init; } = [];

    /// <summary>Backend label when one of <see cref="WeightPaths"/> is installed in the model store (default: no such backend).</summary>
    public string? WeightedBackend { get; init; }

    /// <summary>Model store the weights are looked up in (needed with <see cref="WeightedBackend"/>).</summary>
    public FaceCraft4D.Stages.Models.ModelStore? Models { get; init; }

    /// <inheritdoc />
    public async Task<StageResult> ExecuteAsync(StageJobContext context)
    {
        var request = context.Request;
        if (request.Inputs.Count == 0)
        {
            throw new StageInputException("input-missing", $"{Stage.Slug()} received no inputs.");
        }

        foreach (var (name, _) in request.Inputs)
        {
            await context.ReadInputAsync(name);
        }

        ledger.Record(request);
        const int steps = 4;
        for (var i = 1; i <= steps; i++)
        {
            await Task.Delay(duration / steps, context.CancellationToken);
            context.Progress.Report(new JobProgress(i, steps, $"step {i}/{steps}", new Dictionary<string, double> { ["loss"] = 1.0 / i }));
        }

        var outputs = new Dictionary<string, BlobRef>
        {
            ["result.json"] = await context.WriteJsonOutputAsync("result.json", new
            {
                stage = Stage.Slug(), request.Key, inputs = request.Inputs.Count, implementation = ImplementationVersion,
                // Like real outputs, these depend on the inputs' content: a changed upstream output changes this one.
                from = ContentHash.OfText(string.Join('\n', request.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key}={i.Value.Sha256 ?? i.Value.Name}"))),
            }),
        };
        if (Stage == PipelineStage.Export)
        {
            outputs["avatar.ply"] = await context.Blobs.WriteAsync(
                StorageLayout.AvatarArtifact(request.RunId, "avatar.ply"), BinaryData.FromString("ply\nformat ascii 1.0\nend_header\n"),
                "application/octet-stream", context.CancellationToken);
        }

        if (Stage == PipelineStage.Evaluate)
        {
            var psnr = MetricResult.Computed(MetricNames.Psnr, 30, "synthetic");
            var document = new AvatarMetricsDocument(
                AvatarMetricsDocument.CurrentSchema, request.RunId, DateTimeOffset.UnixEpoch, new ProtocolDescription(64, [], []),
                new Dictionary<string, MetricResult> { [MetricNames.Psnr] = psnr },
                new Dictionary<string, IReadOnlyDictionary<string, MetricResult>>(), [], new Dictionary<string, string> { [MetricNames.Psnr] = "synthetic" });
            outputs["metrics.json"] = await context.Blobs.WriteAsync(
                StorageLayout.AvatarArtifact(request.RunId, "metrics.json"), BinaryData.FromString(MetricsJson.Serialize(document)),
                "application/json", context.CancellationToken);
        }

        var backend = "synthetic";
        if (WeightedBackend is not null && Models is not null
            && await Models.FingerprintAsync(WeightPaths, context.CancellationToken) != StageImplementation.NoWeights)
        {
            backend = WeightedBackend;
        }

        return new StageResult(outputs, backend, context.WorkerVersion);
    }
}
