using FaceCraft4D.Metrics.Clip;
using FaceCraft4D.Metrics.Identity;
using FaceCraft4D.Metrics.Identity.ArcFace;
using FaceCraft4D.Metrics.Identity.FaceRes;
using FaceCraft4D.Metrics.Inception;
using FaceCraft4D.Metrics.Lpips;
using FaceCraft4D.Priors;
using FaceCraft4D.Weights;
using FaceCraft4D.Vision.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Evaluation;

/// <summary>
/// The weight-based metric networks that could be loaded, and for each one that could not, the reason (recorded as
/// the metric's skip reason). Loading never throws for missing or malformed weights.
/// </summary>
public sealed class MetricModelSet : IDisposable
{
    public MetricModelSet(Device device, LpipsModel? lpips, IFaceEmbedder? identity, ClipImageEncoder? clip,
        InceptionFeatureExtractor? inception, IReadOnlyDictionary<string, string> skipReasons, IFaceEmbedder? faceRes = null)
    {
        FaceRes = faceRes;
        Device = device;
        Lpips = lpips;
        Identity = identity;
        Clip = clip;
        Inception = inception;
        SkipReasons = skipReasons;
    }

    public Device Device { get; }
    public LpipsModel? Lpips { get; }
    public IFaceEmbedder? Identity { get; }

    /// <summary>The second identity model (<see cref="MetricNames.IdSimilarityFaceRes"/>).</summary>
    public IFaceEmbedder? FaceRes { get; }
    public ClipImageEncoder? Clip { get; }
    public InceptionFeatureExtractor? Inception { get; }

    /// <summary>Metric name → why its network is unavailable.</summary>
    public IReadOnlyDictionary<string, string> SkipReasons { get; }

    /// <summary>No networks: only the reference metrics (PSNR, SSIM, MS-SSIM) run.</summary>
    public static MetricModelSet None(Device device, string reason) => new(device, null, null, null, null, new Dictionary<string, string>
    {
        [MetricNames.Lpips] = reason, [MetricNames.IdSimilarity] = reason, [MetricNames.IdSimilarityFaceRes] = reason, [MetricNames.ClipI] = reason, [MetricNames.Fid] = reason,
    });

    public static async Task<MetricModelSet> LoadAsync(MetricModelOptions options, CancellationToken ct)
    {
        var device = torch.device(options.Device);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var store = options.Models;

        async Task<T?> TryLoad<T>(string metric, bool enabled, string prior, string version, Func<string, Task<T>> load) where T : class
        {
            if (!enabled) { reasons[metric] = "disabled by configuration"; return null; }
            var folder = store.Folder(prior, version);
            if (folder is null) { reasons[metric] = $"no local models folder configured (Fc4d:Models:LocalPath on the GPU worker, Metrics:Models:Root elsewhere); weights expected in {prior}/{version}/ there"; return null; }
            if (!Directory.Exists(folder)) { reasons[metric] = $"model folder {folder} not found (operator-supplied weights, see the Metrics README)"; return null; }
            try { return await load(folder).ConfigureAwait(false); }
            catch (Exception e) when (e is ModelFolderException or WeightLoadException or InvalidDataException or NotSupportedException or IOException)
            {
                reasons[metric] = e.Message;
                return null;
            }
        }

        var lpips = await TryLoad(MetricNames.Lpips, options.EnableLpips, "lpips", store.LpipsVersion,
            f => LpipsModel.LoadAsync(f, store.LpipsVersion, device, ct)).ConfigureAwait(false);
        var clip = await TryLoad(MetricNames.ClipI, options.EnableClip, "clip", store.ClipVersion,
            f => ClipImageEncoder.LoadAsync(f, store.ClipVersion, device, ct)).ConfigureAwait(false);
        var inception = await TryLoad(MetricNames.Fid, options.EnableFid, "inception", store.InceptionVersion,
            f => InceptionFeatureExtractor.LoadAsync(f, store.InceptionVersion, device, options.InceptionBatchSize, ct)).ConfigureAwait(false);

        IFaceEmbedder? identity = null;
        if (!options.EnableIdentity) reasons[MetricNames.IdSimilarity] = "disabled by configuration";
        else
        {
            var arcFaceFolder = store.Folder("arcface", store.ArcFaceVersion);
            bool useArcFace = options.Identity.Backend == IdentityBackend.ArcFace
                || (options.Identity.Backend == IdentityBackend.Auto && arcFaceFolder is not null && Directory.Exists(arcFaceFolder));
            try
            {
                if (!useArcFace) identity = await FaceDescriptorExtractor.LoadAsync(options.Identity, device, ct).ConfigureAwait(false);
                else if (arcFaceFolder is null || !Directory.Exists(arcFaceFolder))
                    reasons[MetricNames.IdSimilarity] = $"ArcFace model folder {arcFaceFolder ?? $"models/arcface/{store.ArcFaceVersion}"} not found";
                else
                {
                    var net = await ArcFaceEmbedder.LoadNetworkAsync(arcFaceFolder, ct).ConfigureAwait(false);
                    var (det, lm) = await FaceDescriptorExtractor.LoadDetectorsAsync(options.Identity, device, ct).ConfigureAwait(false);
                    var name = $"arcface:{store.ArcFaceVersion} (iresnet {string.Join("-", net.Config.Layers)}, {net.Config.EmbeddingSize}-D; face-api.js detector/landmarks)";
                    identity = new ArcFaceEmbedder(det, lm, net, name, device, det, lm, net);
                }
            }
            catch (Exception e) when (e is PreprocessException or ModelFolderException or WeightLoadException or InvalidDataException or IOException)
            {
                reasons[MetricNames.IdSimilarity] = e.Message;
            }
        }
        IFaceEmbedder? faceRes = null;
        if (!options.EnableFaceResIdentity) reasons[MetricNames.IdSimilarityFaceRes] = "disabled by configuration";
        else
        {
            try { faceRes = await FaceResEmbedder.LoadAsync(options.Identity, device, ct).ConfigureAwait(false); }
            catch (Exception e) when (e is PreprocessException or InvalidDataException or NotSupportedException or IOException)
            {
                reasons[MetricNames.IdSimilarityFaceRes] = e.Message;
            }
        }
        return new MetricModelSet(device, lpips, identity, clip, inception, reasons, faceRes);
    }

    public void Dispose()
    {
        Lpips?.Dispose();
        Identity?.Dispose();
        FaceRes?.Dispose();
        Clip?.Dispose();
        Inception?.Dispose();
    }
}
