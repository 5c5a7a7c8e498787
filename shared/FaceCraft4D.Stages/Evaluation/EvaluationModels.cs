using FaceCraft4D.Metrics.Evaluation;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// The metric networks, loaded once per worker on first use (missing weights become skip reasons, not errors).
/// Their weights are looked for under the worker's models folder (<c>Fc4d:Models:LocalPath</c>) unless
/// <c>Fc4d:Evaluate:Models:Models:Root</c> names another.
/// </summary>
public sealed class EvaluationModels(IOptions<EvaluateStageOptions> options, IOptions<Models.ModelStoreOptions> store) : IDisposable
{
    private readonly AsyncOnce<MetricModelSet> models = new(ct =>
    {
        var settings = options.Value.Models;
        settings.Models.Root ??= store.Value.LocalPath;
        return MetricModelSet.LoadAsync(settings, ct);
    });

    /// <summary>The weight folders the metric models read (LPIPS, CLIP, ArcFace, Inception), for the stage's weights fingerprint.</summary>
    public static IReadOnlyList<string> WeightPaths(FaceCraft4D.Metrics.Models.ModelStoreOptions models) =>
        new[] { ("lpips", models.LpipsVersion), ("clip", models.ClipVersion), ("arcface", models.ArcFaceVersion), ("inception", models.InceptionVersion) }
            .Select(p => models.Root is { Length: > 0 } root ? Path.Combine(root, p.Item1, p.Item2) : $"{p.Item1}/{p.Item2}")
            .ToArray();

    /// <summary>The loaded set.</summary>
    public Task<MetricModelSet> GetAsync(CancellationToken cancellationToken) => models.GetAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => models.Dispose();
}
