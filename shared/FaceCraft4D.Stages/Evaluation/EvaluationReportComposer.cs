using FaceCraft4D.Contracts;
using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Reports;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// Builds an evaluation batch's report in the worker (the set-level FID needs the metric library's math): reads
/// every completed run's <c>avatars/{runId}/metrics.json</c>, aggregates them with <see cref="EvaluationReportBuilder"/>
/// and writes <c>report.json</c> and the self-contained <c>report.html</c> to <c>eval/reports/{date}/{batchId}/</c>,
/// followed by a copy of each completed run's <c>contact-sheet.png</c> (<see cref="ContactSheetFileName"/>).
/// </summary>
public sealed class EvaluationReportComposer(IBlobStore blobs)
{
    /// <summary>File names of the report.</summary>
    public const string JsonFileName = "report.json";

    /// <summary>HTML page of the report.</summary>
    public const string HtmlFileName = "report.html";

    /// <summary>Composes and writes the report; returns the written blobs (JSON first).</summary>
    public async Task<IReadOnlyList<BlobRef>> ComposeAsync(EvaluationReportRequest request, CancellationToken cancellationToken)
    {
        var records = new List<EvaluationRunRecord>();
        foreach (var entry in request.Entries)
        {
            var metrics = entry is { Status: "completed", RunId: { } runId } ? await ReadMetricsAsync(runId, cancellationToken).ConfigureAwait(false) : null;
            var (status, error) = entry.Status switch
            {
                "completed" => (EvaluationRunStatus.Completed, metrics is null ? "the run wrote no metrics.json" : null),
                "rejected" => (EvaluationRunStatus.Failed, $"rejected before a run started: {entry.Error}"),
                _ => (EvaluationRunStatus.Failed, entry.Error),
            };
            records.Add(new EvaluationRunRecord(entry.RunId ?? string.Empty, entry.ImageName, status, metrics, error));
        }

        var report = EvaluationReportBuilder.Build(request.Batch.SetName, new DateTimeOffset(request.CompletedAtUtc, TimeSpan.Zero), records);
        var json = await blobs.WriteAsync(
            EvaluationLayout.Report(request.CompletedAtUtc, request.Batch.BatchId, JsonFileName),
            BinaryData.FromString(MetricsJson.Serialize(report)), "application/json", cancellationToken).ConfigureAwait(false);
        var html = await blobs.WriteAsync(
            EvaluationLayout.Report(request.CompletedAtUtc, request.Batch.BatchId, HtmlFileName),
            BinaryData.FromString(EvaluationReportHtml.Render(report)), "text/html; charset=utf-8", cancellationToken).ConfigureAwait(false);
        var written = new List<BlobRef> { json, html };
        foreach (var entry in request.Entries)
        {
            if (entry is { Status: "completed", RunId: { } sheetRun }
                && await blobs.TryReadAsync(StorageLayout.AvatarArtifact(sheetRun, ContactSheetWriter.ImageFile), cancellationToken).ConfigureAwait(false) is { } sheet)
            {
                written.Add(await blobs.WriteAsync(
                    EvaluationLayout.Report(request.CompletedAtUtc, request.Batch.BatchId, ContactSheetFileName(entry.ImageName)),
                    sheet, "image/png", cancellationToken).ConfigureAwait(false));
            }
        }

        return written;
    }

    /// <summary>The report folder's copy of an image's contact sheet: <c>{image name without extension}.contact-sheet.png</c>.</summary>
    public static string ContactSheetFileName(string imageName) =>
        Path.GetFileNameWithoutExtension(Path.GetFileName(imageName)) + "." + ContactSheetWriter.ImageFile;

    private async Task<AvatarMetricsDocument?> ReadMetricsAsync(string runId, CancellationToken cancellationToken)
    {
        var data = await blobs.TryReadAsync(StorageLayout.AvatarArtifact(runId, "metrics.json"), cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            return null;
        }

        try
        {
            return MetricsJson.Deserialize<AvatarMetricsDocument>(data.ToString());
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
