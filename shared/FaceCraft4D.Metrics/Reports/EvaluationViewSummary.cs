using FaceCraft4D.Metrics.Evaluation;
using FaceCraft4D.Metrics.Protocol;

namespace FaceCraft4D.Metrics.Reports;

/// <summary>
/// One reference or static protocol view of a run, as the batch report lists it: its camera, whether the identity
/// network found a face in the render, the ID similarity to the reference photo, and PSNR/SSIM where the view has a
/// pixel-aligned target (the reference view).
/// </summary>
/// <param name="FaceDetected">True: a face was found and ID computed; false: the render had no detectable face;
/// null: not tested (ID skipped, e.g. no identity weights or no face in the reference photo).</param>
/// <param name="IdSimilarity">ID similarity by the face-api.js recognition net (<see cref="MetricNames.IdSimilarity"/>).</param>
/// <param name="IdSimilarityFaceRes">ID similarity by the second model, faceres (<see cref="MetricNames.IdSimilarityFaceRes"/>);
/// null where it was not computed.</param>
public sealed record EvaluationViewSummary(
    string View, ViewKind Kind, double YawDegrees, double PitchDegrees, bool? FaceDetected, double? IdSimilarity, double? Psnr, double? Ssim,
    double? IdSimilarityFaceRes = null)
{
    /// <summary>The note <see cref="EvaluationMetricsCalculator"/> writes when the render has no detectable face.</summary>
    public const string NoFaceNote = "no face detected in the render";

    /// <summary>The reference and static views of <paramref name="document"/>, in protocol order.</summary>
    public static IReadOnlyList<EvaluationViewSummary> From(AvatarMetricsDocument document)
    {
        var cameras = document.Protocol.Views.GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return document.Views
            .Where(v => v.Kind is ViewKind.Reference or ViewKind.Static && cameras.ContainsKey(v.View))
            .Select(v =>
            {
                var id = v.Values.GetValueOrDefault(MetricNames.IdSimilarity);
                bool? face = id is not null ? true
                    : v.Notes.TryGetValue(MetricNames.IdSimilarity, out var note) && note == NoFaceNote ? false : null;
                return new EvaluationViewSummary(v.View, v.Kind, cameras[v.View].YawDegrees, cameras[v.View].PitchDegrees, face, id,
                    v.Values.GetValueOrDefault(MetricNames.Psnr), v.Values.GetValueOrDefault(MetricNames.Ssim),
                    v.Values.GetValueOrDefault(MetricNames.IdSimilarityFaceRes));
            })
            .ToList();
    }
}
