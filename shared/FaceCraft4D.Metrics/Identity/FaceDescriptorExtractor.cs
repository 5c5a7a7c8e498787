using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Preprocessing.Networks;
using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>
/// The face-api.js descriptor pipeline on TorchSharp ports: TinyFaceDetector (best face; retried with a margin around
/// the image when it finds none, <see cref="MarginRetryFaceDetector"/>) → 68 landmarks →
/// dlib-style crop box (<see cref="CropBox"/>), clipped to the image and floored → crop padded to a centred square with black → resized to 150 (face-api.js' own rule by default,
/// <see cref="FaceCropResampling"/>) → (v − mean) / 255 → <see cref="FaceRecognitionNet"/>.
/// </summary>
public sealed class FaceDescriptorExtractor : IFaceEmbedder
{
    public const string ManifestFileName = "face_recognition_model-weights_manifest.json";
    private readonly IFaceDetector detector;
    private readonly ILandmarkDetector landmarks;
    private readonly FaceRecognitionNet net;
    private readonly IdentitySimilarityOptions options;
    private readonly Device device;
    private readonly IDisposable[] owned;

    public FaceDescriptorExtractor(IFaceDetector detector, ILandmarkDetector landmarks, FaceRecognitionNet net,
        IdentitySimilarityOptions options, Device device, params IDisposable[] owned)
    {
        this.detector = detector; this.landmarks = landmarks; this.net = net; this.options = options; this.device = device;
        this.owned = owned;
        net.to(device).eval();
    }

    /// <summary>What produced the descriptors (recorded in <see cref="MetricResult.Model"/>).</summary>
    public string BackendName => "face-api.js face_recognition_model (dlib ResNet-34-like, 128-D; tfjs weights, TorchSharp port)";

    /// <summary>Loads the three face-api.js networks from the model folder.</summary>
    /// <exception cref="PreprocessException">ModelsMissing (with the npm install hint) when the folder is absent.</exception>
    public static async Task<FaceDescriptorExtractor> LoadAsync(IdentitySimilarityOptions options, Device device, CancellationToken ct)
    {
        var folder = FaceModelLocator.Resolve(options.FaceModelsPath);
        var manifest = Path.Combine(folder, ManifestFileName);
        if (!File.Exists(manifest))
            throw new PreprocessException(PreprocessFailureReason.ModelsMissing, $"{manifest} not found; {FaceModelLocator.InstallHint}.");
        var weights = await TfjsWeightsReader.ReadAsync(manifest, ct).ConfigureAwait(false);
        var net = new FaceRecognitionNet(FaceRecognitionNetConfig.Official);
        net.LoadTfjsWeights(weights);
        var (det, lm) = await LoadDetectorsAsync(options, device, ct).ConfigureAwait(false);
        return new FaceDescriptorExtractor(det, lm, net, options, device, det, lm, net);
    }

    /// <summary>
    /// The face-api.js TinyFaceDetector (inside a <see cref="MarginRetryFaceDetector"/> with
    /// <see cref="IdentitySimilarityOptions.DetectionRetryMargin"/>, which owns it) and 68-landmark ports (shared with
    /// the ArcFace and faceres backends).
    /// </summary>
    public static async Task<(MarginRetryFaceDetector Detector, FaceLandmark68Detector Landmarks)> LoadDetectorsAsync(
        IdentitySimilarityOptions options, Device device, CancellationToken ct)
    {
        var folder = FaceModelLocator.Resolve(options.FaceModelsPath);
        var det = new MarginRetryFaceDetector(
            await TinyFaceDetector.LoadAsync(folder, options.Detector, device, ct).ConfigureAwait(false), options.DetectionRetryMargin);
        try
        {
            var lm = await FaceLandmark68Detector.LoadAsync(folder, options.TinyLandmarks, device, ct).ConfigureAwait(false);
            return (det, lm);
        }
        catch
        {
            det.Dispose();
            throw;
        }
    }

    /// <summary>Descriptor of the best-scoring face, or null when no face is found.</summary>
    public async Task<FaceDescriptor?> DescribeAsync(RgbImageBuffer image, CancellationToken ct)
    {
        var faces = await detector.DetectAsync(image, ct).ConfigureAwait(false);
        if (faces.Count == 0) return null;
        var best = faces.MaxBy(f => f.Score)!;
        var marks = await landmarks.DetectAsync(image, best.Box, ct).ConfigureAwait(false);
        var box = CropBox(marks, image.Width, image.Height);
        if (box.Width < 2 || box.Height < 2) return null;
        return new FaceDescriptor(DescribeCrop(image, box), box, best.Score);
    }

    /// <summary>
    /// face-api.js <c>FaceLandmarks.align(null, { useDlibAlignment: true })</c> (what <c>withFaceDescriptor</c> uses) followed
    /// by <c>extractFaceTensors</c>' clipping: with the centres of the two eyes (36-41, 42-47) and of the 20 mouth points
    /// (48-67), size = ⌊mean eye-to-mouth distance / 0.45⌋, the square's top-left corner at
    /// (⌊max(0, c.x − 0.5·size)⌋, ⌊max(0, c.y − 0.43·size)⌋) where c is the mean of the three centres; clipped to the
    /// image and floored.
    /// </summary>
    public static FaceBox CropBox(FaceLandmarks68 marks, int imageWidth, int imageHeight)
    {
        var eyeA = marks.Mean(36, 41);
        var eyeB = marks.Mean(42, 47);
        var mouth = marks.Mean(48, 67);
        static double Distance((double X, double Y) p, (double X, double Y) q) => Math.Sqrt((p.X - q.X) * (p.X - q.X) + (p.Y - q.Y) * (p.Y - q.Y));
        double eyeToMouth = (Distance(mouth, eyeA) + Distance(mouth, eyeB)) / 2;
        double size = Math.Floor(eyeToMouth / 0.45);
        double cx = (eyeA.X + eyeB.X + mouth.X) / 3, cy = (eyeA.Y + eyeB.Y + mouth.Y) / 3;
        double x = Math.Floor(Math.Max(0, cx - 0.5 * size)), y = Math.Floor(Math.Max(0, cy - 0.43 * size));
        double w = Math.Min(size, imageWidth - x), h = Math.Min(size, imageHeight - y);
        return new FaceBox(x, y, Math.Floor(w), Math.Floor(h));
    }

    /// <summary>Descriptor of a given crop box (padded to a centred square, resized to the net input).</summary>
    public float[] DescribeCrop(RgbImageBuffer image, FaceBox box)
    {
        var crop = new PixelRect((int)box.X, (int)box.Y, (int)box.Width, (int)box.Height)
            .Intersect(new PixelRect(0, 0, image.Width, image.Height));
        if (crop.Width < 1 || crop.Height < 1) throw new ArgumentException("crop box lies outside the image", nameof(box));
        int s = net.Config.InputSize;
        float[] planar;
        if (options.Resampling == FaceCropResampling.FaceApiBilinear)
            planar = FaceApiCropResampler.Resample(image, crop, s);
        else
        {
            double side = Math.Max(crop.Width, crop.Height);
            double x0 = crop.X - (side - crop.Width) / 2.0, y0 = crop.Y - (side - crop.Height) / 2.0;
            planar = SquareResampler.Resample(image, x0, y0, side, s, crop);
        }
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var input = NetworkInput.Normalise(planar, s, FaceRecognitionNetConfig.MeanRgb, device); // [1, 3, 150, 150]
        return net.forward(input).cpu().contiguous().data<float>().ToArray();                  // [1, 128]
    }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
    }
}
