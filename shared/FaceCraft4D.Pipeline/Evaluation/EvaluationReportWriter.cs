using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Pipeline.Evaluation;

/// <summary>
/// Aggregates the <c>metrics.json</c> of every completed run of a batch (numbers under <c>metrics</c>, either plain
/// or as <c>{"value": ...}</c>) into <c>report.json</c>: per-image rows and per-metric count/mean/std/min/max.
/// </summary>
public sealed class EvaluationReportWriter(IBlobStore blobs)
{
    /// <summary>File name of the JSON report.</summary>
    public const string JsonFileName = "report.json";

    /// <summary>Reads the runs' metrics and writes the report; returns the written blobs.</summary>
    public async Task<List<BlobRef>> WriteAsync(EvaluationReportRequest request, CancellationToken cancellationToken)
    {
        var rows = new JsonArray();
        var values = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var entry in request.Entries)
        {
            var metrics = entry.RunId is not null && entry.Status == "completed"
                ? await ReadMetricsAsync(entry.RunId, cancellationToken).ConfigureAwait(false)
                : new Dictionary<string, double>();
            foreach (var (name, value) in metrics)
            {
                (values.TryGetValue(name, out var list) ? list : values[name] = []).Add(value);
            }

            rows.Add(new JsonObject
            {
                ["image"] = entry.ImageName,
                ["runId"] = entry.RunId,
                ["status"] = entry.Status,
                ["error"] = entry.Error,
                ["backends"] = entry.Backends is null ? null : new JsonObject(entry.Backends.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["metrics"] = new JsonObject(metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            });
        }

        var summary = new JsonObject();
        foreach (var (name, list) in values)
        {
            var mean = list.Average();
            var std = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / list.Count);
            summary[name] = new JsonObject { ["count"] = list.Count, ["mean"] = mean, ["std"] = std, ["min"] = list.Min(), ["max"] = list.Max() };
        }

        var batch = request.Batch;
        var report = new JsonObject
        {
            ["batchId"] = batch.BatchId,
            ["set"] = batch.SetName,
            ["trigger"] = batch.Trigger,
            ["preset"] = batch.Preset,
            ["completedAtUtc"] = request.CompletedAtUtc,
            ["images"] = request.Entries.Count,
            ["completed"] = request.Entries.Count(e => e.Status == "completed"),
            ["failed"] = request.Entries.Count(e => e.Status == "failed"),
            ["rejected"] = request.Entries.Count(e => e.Status == "rejected"),
            ["summary"] = summary,
            ["entries"] = rows,
        };
        var json = await blobs.WriteAsync(
            EvaluationLayout.Report(request.CompletedAtUtc, batch.BatchId, JsonFileName),
            BinaryData.FromString(report.ToJsonString(ContractJson.Indented)), "application/json", cancellationToken).ConfigureAwait(false);
        return [json];
    }

    private async Task<Dictionary<string, double>> ReadMetricsAsync(string runId, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var data = await blobs.TryReadAsync(StorageLayout.AvatarArtifact(runId, "metrics.json"), cancellationToken).ConfigureAwait(false);
        if (data is null || JsonNode.Parse(data.ToString()) is not JsonObject document)
        {
            return result;
        }

        var metrics = document["metrics"] as JsonObject ?? document;
        foreach (var (name, node) in metrics)
        {
            var value = node switch
            {
                JsonValue v when v.TryGetValue<double>(out var d) => d,
                JsonObject o when o["value"] is JsonValue v && v.TryGetValue<double>(out var d) => d,
                _ => (double?)null,
            };
            if (value is { } number && double.IsFinite(number))
            {
                result[name] = number;
            }
        }

        return result;
    }
}
