using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.Landmarks;

/// <summary>
/// face-api.js 68-point landmark net (full or tiny) via the TorchSharp port with the official tfjs weights.
/// As face-api: the face box is floored and clipped to the image, the crop is padded to a centred square with
/// black and resized to 112, normalised by (v - mean) / 255; the 136 outputs are positions in that square (0..1).
/// </summary>
public sealed class FaceLandmark68Detector : ILandmarkDetector, IDisposable
{
    public const string FullManifest = "face_landmark_68_model-weights_manifest.json";
    public const string TinyManifest = "face_landmark_68_tiny_model-weights_manifest.json";
    private readonly FaceLandmark68Net net;
    private readonly Device device;
    private readonly string modelName;

    public string BackendName => $"face-api.js {modelName} (tfjs weights, TorchSharp port)";

    public FaceLandmark68Detector(FaceLandmark68Net net, string modelName, Device device)
    {
        this.net = net; this.modelName = modelName; this.device = device;
        net.to(device).eval();
    }

    public static async Task<FaceLandmark68Detector> LoadAsync(string modelFolder, bool tiny, Device device, CancellationToken ct)
    {
        var manifest = tiny ? TinyManifest : FullManifest;
        var name = tiny ? "face_landmark_68_tiny_model" : "face_landmark_68_model";
        var weights = await TfjsWeightsReader.ReadAsync(Path.Combine(modelFolder, manifest), ct).ConfigureAwait(false);
        var net = new FaceLandmark68Net(tiny ? FaceLandmark68NetConfig.Tiny : FaceLandmark68NetConfig.Full);
        net.LoadTfjsWeights(weights, name);
        return new FaceLandmark68Detector(net, name, device);
    }

    public Task<FaceLandmarks68> DetectAsync(RgbImageBuffer image, FaceBox box, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var crop = new PixelRect((int)Math.Floor(box.X), (int)Math.Floor(box.Y), (int)Math.Floor(box.Width), (int)Math.Floor(box.Height))
            .Intersect(new PixelRect(0, 0, image.Width, image.Height));
        if (crop.Width < 2 || crop.Height < 2) throw new ArgumentException("face box lies outside the image", nameof(box));
        int s = net.Config.InputSize;
        double side = Math.Max(crop.Width, crop.Height);
        double x0 = crop.X - (side - crop.Width) / 2.0, y0 = crop.Y - (side - crop.Height) / 2.0;
        var planar = SquareResampler.Resample(image, x0, y0, side, s, crop);
        float[] rel;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var x = NetworkInput.Normalise(planar, s, FaceLandmark68NetConfig.MeanRgb, device); // [1, 3, 112, 112]
            rel = net.forward(x).cpu().contiguous().data<float>().ToArray();                 // [1, 136]
        }
        var xy = new float[rel.Length];
        for (int i = 0; i < FaceLandmarks68.Count; i++)
        {
            xy[2 * i] = (float)(x0 + rel[2 * i] * side);
            xy[2 * i + 1] = (float)(y0 + rel[2 * i + 1] * side);
        }
        return Task.FromResult(new FaceLandmarks68(xy));
    }

    public void Dispose() => net.Dispose();
}
