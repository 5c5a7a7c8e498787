using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Storage;

namespace FaceCraft4D.Pipeline.Evaluation;

/// <summary>The logic of the evaluation batch activities (both hosts).</summary>
public sealed class EvaluationActivities(IBlobStore blobs, RunInputFactory inputs, EvaluationReportClient reports)
{
    /// <summary>The images of a set, in name order; a clear error when the set is empty or missing.</summary>
    public async Task<List<BlobRef>> ListSetAsync(EvaluationBatchInput batch, CancellationToken cancellationToken)
    {
        var images = new List<BlobRef>();
        await foreach (var blob in blobs.ListAsync(StorageLayout.EvalContainer, EvaluationLayout.SetPrefix(batch.SetName), cancellationToken).ConfigureAwait(false))
        {
            if (EvaluationLayout.ImageExtensions.Contains(Path.GetExtension(blob.Blob.Name).ToLowerInvariant()))
            {
                images.Add(blob.Blob);
            }
        }

        if (images.Count == 0)
        {
            throw new ArgumentException(
                $"Evaluation set '{batch.SetName}' has no images: put JPEG/PNG/WebP/BMP portraits under eval/{EvaluationLayout.SetPrefix(batch.SetName)}.");
        }

        return images.OrderBy(b => b.Name, StringComparer.Ordinal).Take(batch.MaxImages).ToList();
    }

    /// <summary>Validates and stores one image as an avatar run input; rejected images are reported, not thrown.</summary>
    public async Task<EvaluationRunStart> PrepareAsync(PrepareEvaluationRun request, CancellationToken cancellationToken)
    {
        var content = await blobs.TryReadAsync(request.Image, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return new EvaluationRunStart(request.Image, null, "the image disappeared from the set");
        }

        try
        {
            var overrides = request.Batch.SettingsJson is null ? null : JsonNode.Parse(request.Batch.SettingsJson) as JsonObject;
            var prepared = inputs.Prepare(
                content, Path.GetFileName(request.Image.Name), request.Batch.Preset, overrides, request.Batch.Owner ?? RunIdentity.LocalOwner);
            await inputs.ScreenAsync(prepared, cancellationToken).ConfigureAwait(false);
            var run = await inputs.StoreAsync(prepared, RunSource.Evaluation, cancellationToken).ConfigureAwait(false);
            return new EvaluationRunStart(request.Image, run, null);
        }
        catch (Exception e) when (e is InvalidPortraitException or InvalidSettingsException)
        {
            return new EvaluationRunStart(request.Image, null, e.Message);
        }
    }

    /// <summary>Writes the batch report.</summary>
    public Task<List<BlobRef>> WriteReportAsync(EvaluationReportRequest request, CancellationToken cancellationToken) =>
        reports.WriteAsync(request, cancellationToken);
}
