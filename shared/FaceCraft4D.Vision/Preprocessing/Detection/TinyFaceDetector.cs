using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Detection;

/// <summary>
/// face-api.js TinyFaceDetector run through the TorchSharp port with the official tfjs weights
/// (tiny_face_detector_model-weights_manifest.json). Preprocessing as face-api: pad the photo to a square
/// at the bottom/right with black, resize to InputSize, subtract the mean RGB, divide by 255.
/// </summary>
public sealed class TinyFaceDetector : IFaceDetector, IDisposable
{
    public const string ManifestFileName = "tiny_face_detector_model-weights_manifest.json";
    private readonly TinyFaceDetectorNet net;
    private readonly TinyFaceDetectorOptions options;
    private readonly Device device;

    public string BackendName => "face-api.js tiny_face_detector (tfjs weights, TorchSharp port)";

    public TinyFaceDetector(TinyFaceDetectorNet net, TinyFaceDetectorOptions options, Device device)
    {
        if (options.InputSize % TinyFaceDetectorNetConfig.Stride != 0 || options.InputSize < 64)
            throw new ArgumentException("InputSize must be a multiple of 32 and at least 64", nameof(options));
        this.net = net; this.options = options; this.device = device;
        net.to(device).eval();
    }

    /// <summary>Loads the official weights from a face-api model folder.</summary>
    public static async Task<TinyFaceDetector> LoadAsync(string modelFolder, TinyFaceDetectorOptions options, Device device, CancellationToken ct)
    {
        var weights = await TfjsWeightsReader.ReadAsync(Path.Combine(modelFolder, ManifestFileName), ct).ConfigureAwait(false);
        var net = new TinyFaceDetectorNet(TinyFaceDetectorNetConfig.Official);
        net.LoadTfjsWeights(weights, "tiny_face_detector_model");
        return new TinyFaceDetector(net, options, device);
    }

    public Task<IReadOnlyList<FaceDetection>> DetectAsync(RgbImageBuffer image, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        int s = options.InputSize;
        double side = Math.Max(image.Width, image.Height);
        var planar = SquareResampler.Resample(image, 0, 0, side, s, new PixelRect(0, 0, image.Width, image.Height));
        float[] output;
        int cells;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var x = NetworkInput.Normalise(planar, s, TinyFaceDetectorNetConfig.MeanRgb, device); // [1, 3, s, s]
            var y = net.forward(x);                                                                  // [1, 25, s/32, s/32]
            cells = (int)y.shape[2];
            output = y.cpu().contiguous().data<float>().ToArray();
        }
        var raw = TinyFaceDetectorDecoder.Decode(output, cells, net.Config.Anchors, side, options.ScoreThreshold);
        IReadOnlyList<FaceDetection> kept = NonMaxSuppression.Apply(raw, options.IouThreshold);
        return Task.FromResult(kept);
    }

    public void Dispose() => net.Dispose();
}
