using FaceCraft4D.Metrics.Fid;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Images;
using FaceCraft4D.Graphics.ImageQuality;
using FaceCraft4D.Metrics.Pixel;
using FaceCraft4D.Metrics.Protocol;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>
/// Runs the evaluation protocol on an avatar through a renderer callback and computes <c>metrics.json</c>.
/// Per view: PSNR, SSIM, MS-SSIM and LPIPS against a pixel-aligned target (the reference image for the reference view,
/// ground-truth views where supplied), ID similarity (cosine of face-recognition descriptors) and CLIP-I (cosine of
/// CLIP image embeddings) against the reference image for every view; FID between all renders and the reference set.
/// Metrics whose network is missing are recorded as skipped with the reason; a view whose face is not found gets no ID
/// value and a note. The renderer is called once per view, in protocol order, except that a view without a pixel target
/// whose camera and expression equal an earlier one's takes that view's figures (<see cref="EvaluationMetricsOptions.ReuseIdenticalRenders"/>).
/// </summary>
public sealed class EvaluationMetricsCalculator(MetricModelSet models, EvaluationMetricsOptions options)
{
    /// <summary>Renders every protocol view with <paramref name="render"/> and computes the document.</summary>
    /// <param name="render">Renders the avatar as <see cref="CameraSpec"/> says (square, <see cref="CameraSpec.ImageSize"/>).</param>
    public async Task<AvatarMetricsDocument> ComputeAsync(EvaluationInputs inputs, Func<CameraSpec, Image<Rgb24>> render, CancellationToken ct)
    {
        int size = options.Protocol.ImageSize;
        var views = EvaluationProtocol.Build(options.Protocol, inputs.ReferenceCamera, inputs.Clips);
        var device = models.Device;
        var skipped = new Dictionary<string, string>(models.SkipReasons, StringComparer.Ordinal);
        var modelNames = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MetricNames.Psnr] = Psnr.Model,
            [MetricNames.Ssim] = Ssim.Model,
            [MetricNames.MsSsim] = MultiScaleSsim.Model,
        };
        if (models.Lpips is { } lp) modelNames[MetricNames.Lpips] = lp.Name;
        if (models.Identity is { } id) modelNames[MetricNames.IdSimilarity] = id.BackendName;
        if (models.FaceRes is { } mfn) modelNames[MetricNames.IdSimilarityFaceRes] = mfn.BackendName;
        else skipped.TryAdd(MetricNames.IdSimilarityFaceRes, "faceres not loaded");
        if (models.Clip is { } cl) modelNames[MetricNames.ClipI] = cl.Name;
        if (models.Inception is { } inc) modelNames[MetricNames.Fid] = inc.Name;

        using var reference = Resized(inputs.Reference, size);
        using var referenceTensor = MetricImage.ToTensor(reference, device); // [1, 3, S, S]
        var targets = new Dictionary<string, Image<Rgb24>>(StringComparer.Ordinal);
        foreach (var (name, image) in inputs.GroundTruthViews ?? new Dictionary<string, Image<Rgb24>>()) targets[name] = Resized(image, size);

        FaceDescriptor? referenceFace = null;
        if (models.Identity is not null)
        {
            referenceFace = await models.Identity.DescribeAsync(MetricImage.ToRgbBuffer(referenceTensor), ct).ConfigureAwait(false);
            if (referenceFace is null) skipped[MetricNames.IdSimilarity] = "no face detected in the reference image";
        }
        FaceDescriptor? referenceFaceFaceRes = null;
        if (models.FaceRes is not null)
        {
            referenceFaceFaceRes = await models.FaceRes.DescribeAsync(MetricImage.ToRgbBuffer(referenceTensor), ct).ConfigureAwait(false);
            if (referenceFaceFaceRes is null) skipped[MetricNames.IdSimilarityFaceRes] = "no face detected in the reference image";
        }
        using var referenceClip = models.Clip?.Embed(referenceTensor); // [1, P]

        var accumulator = new MetricAccumulator();
        var renderFeatures = new List<float[]>();
        // Views without a pixel target whose render an earlier view already made (same camera and expression values):
        // their figures are that view's, copied, and the avatar is not rendered again.
        var scored = new Dictionary<ProtocolRenderKey, (Dictionary<string, double?> Values, Dictionary<string, string> Notes, float[]? Features)>();
        try
        {
            foreach (var view in views)
            {
                ct.ThrowIfCancellationRequested();
                var (values, notes) = accumulator.Begin(view.Name, view.Kind);
                Image<Rgb24>? target = view.Kind == ViewKind.Reference ? reference : targets.GetValueOrDefault(view.Name);
                var key = target is null && options.ReuseIdenticalRenders ? new ProtocolRenderKey(view.Camera) : null;
                if (key is not null && scored.TryGetValue(key, out var earlier))
                {
                    foreach (var (metric, value) in earlier.Values) values[metric] = value;
                    foreach (var (metric, note) in earlier.Notes) notes[metric] = note;
                    if (earlier.Features is not null) renderFeatures.Add(earlier.Features);
                    continue;
                }

                using var rendered = Resized(render(view.Camera), size, disposeSource: true);
                using var x = MetricImage.ToTensor(rendered, device);
                if (target is not null)
                    ComparePixels(x, ReferenceEquals(target, reference) ? referenceTensor : null, target, values, notes);
                else
                    foreach (var m in new[] { MetricNames.Psnr, MetricNames.Ssim, MetricNames.MsSsim, MetricNames.Lpips })
                        notes[m] = "no pixel-aligned target for this view";

                if (referenceFace is not null && models.Identity is not null)
                {
                    var face = await models.Identity.DescribeAsync(MetricImage.ToRgbBuffer(x), ct).ConfigureAwait(false);
                    if (face is null) { values[MetricNames.IdSimilarity] = null; notes[MetricNames.IdSimilarity] = "no face detected in the render"; }
                    else values[MetricNames.IdSimilarity] = face.CosineSimilarity(referenceFace);
                }
                if (referenceFaceFaceRes is not null && models.FaceRes is not null)
                {
                    var face = await models.FaceRes.DescribeAsync(MetricImage.ToRgbBuffer(x), ct).ConfigureAwait(false);
                    if (face is null) { values[MetricNames.IdSimilarityFaceRes] = null; notes[MetricNames.IdSimilarityFaceRes] = "no face detected in the render"; }
                    else values[MetricNames.IdSimilarityFaceRes] = face.CosineSimilarity(referenceFaceFaceRes);
                }
                if (referenceClip is not null && models.Clip is not null)
                {
                    using var e = models.Clip.Embed(x);
                    using var cos = nn.functional.cosine_similarity(e, referenceClip);
                    values[MetricNames.ClipI] = cos.cpu().item<float>();
                }
                float[]? features = null;
                if (models.Inception is not null)
                {
                    using var f = models.Inception.Features(x);
                    features = f[0].data<float>().ToArray();
                    renderFeatures.Add(features);
                }
                if (key is not null) scored[key] = (values, notes, features);
            }

            var all = accumulator.Summarise(modelNames, skipped, null);
            FidFeatureBlock? block = null;
            if (models.Inception is not null)
            {
                var referenceRows = ReferenceFeatures(models.Inception, reference, targets, inputs.FidReferenceImages, size, device);
                all[MetricNames.Fid] = FidOf(renderFeatures, referenceRows, models.Inception.Name);
                if (options.IncludeFidFeatures) block = FidFeatureBlock.Create(models.Inception.Name, renderFeatures.ToArray(), referenceRows);
            }
            else all[MetricNames.Fid] = MetricResult.Skipped(MetricNames.Fid, skipped.GetValueOrDefault(MetricNames.Fid, "Inception weights unavailable"));

            var groups = new Dictionary<string, IReadOnlyDictionary<string, MetricResult>>(StringComparer.Ordinal);
            foreach (var kind in new[] { ViewKind.Reference, ViewKind.Static, ViewKind.Animation })
                groups[KindName(kind)] = accumulator.Summarise(modelNames, skipped, kind);

            var models2 = MetricNames.All.ToDictionary(m => m, m => all[m].IsSkipped ? $"skipped: {all[m].SkippedReason}" : all[m].Model ?? "", StringComparer.Ordinal);
            var protocol = new ProtocolDescription(size,
                views.Select(v => new ProtocolView(v.Name, v.Kind, v.Camera.YawDegrees, v.Camera.PitchDegrees, v.Clip, v.Frame, v.Camera.Expression?.Name)).ToList(),
                views.Where(v => v.Clip is not null).Select(v => v.Clip!).Distinct().ToList());
            return new AvatarMetricsDocument(AvatarMetricsDocument.CurrentSchema, inputs.RunId, DateTimeOffset.UtcNow, protocol,
                all, groups, accumulator.Views(), models2, block);
        }
        finally
        {
            foreach (var t in targets.Values) t.Dispose();
        }
    }

    private void ComparePixels(Tensor x, Tensor? targetTensor, Image<Rgb24> target, Dictionary<string, double?> values, Dictionary<string, string> notes)
    {
        using var owned = targetTensor is null ? MetricImage.ToTensor(target, x.device) : null;
        var y = targetTensor ?? owned!;
        values[MetricNames.Psnr] = Psnr.Compute(x, y)[0];
        values[MetricNames.Ssim] = Ssim.Compute(x, y, options.Ssim)[0];
        if (Math.Min(x.shape[2], x.shape[3]) >= MultiScaleSsim.MinimumSide(options.Ssim))
            values[MetricNames.MsSsim] = MultiScaleSsim.Compute(x, y, options.Ssim)[0];
        else
            notes[MetricNames.MsSsim] = $"images smaller than {MultiScaleSsim.MinimumSide(options.Ssim)} px";
        if (models.Lpips is not null)
        {
            using var d = models.Lpips.Distance(x, y);
            values[MetricNames.Lpips] = d.cpu().item<float>();
        }
    }

    private float[][] ReferenceFeatures(Inception.InceptionFeatureExtractor inception, Image<Rgb24> reference,
        Dictionary<string, Image<Rgb24>> targets, IReadOnlyList<Image<Rgb24>>? fidReferences, int size, Device device)
    {
        var rows = new List<float[]>();
        void Add(Image<Rgb24> img)
        {
            using var scaled = Resized(img, size);
            using var t = MetricImage.ToTensor(scaled, device);
            using var f = inception.Features(t);
            rows.Add(f[0].data<float>().ToArray());
        }
        if (fidReferences is { Count: > 0 })
            foreach (var img in fidReferences) Add(img);
        else
        {
            Add(reference);
            foreach (var img in targets.Values) Add(img);
        }
        return rows.ToArray();
    }

    private MetricResult FidOf(IReadOnlyList<float[]> renders, IReadOnlyList<float[]> references, string model)
    {
        int min = Math.Max(2, options.MinFidSamples);
        if (renders.Count < min || references.Count < min)
            return MetricResult.Skipped(MetricNames.Fid,
                $"needs at least {min} images per set (renders {renders.Count}, references {references.Count}); the evaluation batch computes FID over all avatars", model);
        using var a = FeatureStatistics.FromRows(renders);
        using var b = FeatureStatistics.FromRows(references);
        return MetricResult.Computed(MetricNames.Fid, FrechetDistance.Compute(a, b), model, renders.Count);
    }

    internal static string KindName(ViewKind kind) => kind switch
    {
        ViewKind.Reference => "reference",
        ViewKind.Static => "static",
        _ => "animation",
    };

    private static Image<Rgb24> Resized(Image<Rgb24> image, int size, bool disposeSource = false)
    {
        if (image.Width == size && image.Height == size) return disposeSource ? image : image.Clone();
        var copy = image.Clone(c => c.Resize(size, size, KnownResamplers.Bicubic));
        if (disposeSource) image.Dispose();
        return copy;
    }
}
