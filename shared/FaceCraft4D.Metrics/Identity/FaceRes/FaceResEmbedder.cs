using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity.FaceRes;

/// <summary>
/// Second identity model: face-api.js detector + 68 landmarks (Vision ports) → <see cref="FaceResCrop"/> →
/// <see cref="FaceResModel"/> descriptor (1024-D). Weights from npm (@vladmandic/human, found by
/// <see cref="HumanModelsLocator"/>).
/// </summary>
public sealed class FaceResEmbedder : IFaceEmbedder
{
    private readonly IFaceDetector detector;
    private readonly ILandmarkDetector landmarks;
    private readonly FaceResModel net;
    private readonly Device device;
    private readonly IDisposable[] owned;

    public FaceResEmbedder(IFaceDetector detector, ILandmarkDetector landmarks, FaceResModel net, Device device, params IDisposable[] owned)
    {
        this.detector = detector; this.landmarks = landmarks; this.net = net; this.device = device; this.owned = owned;
    }

    public string BackendName =>
        "faceres (@vladmandic/human faceres.json descriptor, 1024-D; TorchSharp run of the TFJS graph; upright 1.5x face crop from face-api.js landmarks)";

    /// <exception cref="PreprocessException">ModelsMissing when faceres.json or the face-api.js models are not found.</exception>
    public static async Task<FaceResEmbedder> LoadAsync(IdentitySimilarityOptions options, Device device, CancellationToken ct)
    {
        var folder = HumanModelsLocator.TryResolve(options.HumanModelsPath, FaceResModel.ModelFile)
            ?? throw new PreprocessException(PreprocessFailureReason.ModelsMissing,
                $"faceres weights ({FaceResModel.ModelFile}, npm @vladmandic/human) not found; {HumanModelsLocator.InstallHint}.");
        var net = await FaceResModel.LoadAsync(folder, device, ct).ConfigureAwait(false);
        try
        {
            var (det, lm) = await FaceDescriptorExtractor.LoadDetectorsAsync(options, device, ct).ConfigureAwait(false);
            return new FaceResEmbedder(det, lm, net, device, det, lm, net);
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
        return new FaceDescriptor(Embed(FaceResCrop.Extract(image, marks)), best.Box, best.Score);
    }

    /// <summary>Descriptor of a 224² crop (planar 0..255).</summary>
    public float[] Embed(RgbImageBuffer crop)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(crop.Data, new long[] { 1, 3, crop.Height, crop.Width }).to(device); // [1, 3, 224, 224]
        return net.Descriptor(x).cpu().contiguous().data<float>().ToArray();                      // [1, 1024]
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
    }
}
