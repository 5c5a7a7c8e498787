using FaceCraft4D.Vision.Preprocessing;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Vision.Rendering;
using TorchSharp;

namespace FaceCraft4D.Animation.Tracking;

/// <summary>
/// 68 landmarks on a video frame with the project's face-api.js port (TinyFaceDetector, FaceLandmark68Net): the face
/// box whose overlap with the expected face (the fitted head's landmarks projected into the view) is largest is kept
/// when the overlap reaches MinBoxOverlap, its landmarks are placed, and they are accepted only when their mean
/// distance to the expected landmarks is below MaxMeanDeviation box sizes (a side view can yield a confident but wrong
/// face). Rejected frames are tracked by the photometric term alone. Not thread-safe (one frame at a time).
/// </summary>
public sealed class FrameLandmarkDetector : IDisposable
{
    private readonly IFaceDetector detector;
    private readonly ILandmarkDetector landmarker;
    private readonly FrameLandmarkOptions options;
    private readonly IReadOnlyList<IDisposable> owned;

    /// <summary>Wraps detectors (the <paramref name="owned"/> ones are disposed with this instance).</summary>
    public FrameLandmarkDetector(IFaceDetector detector, ILandmarkDetector landmarker, FrameLandmarkOptions options, IReadOnlyList<IDisposable>? owned = null)
    {
        this.detector = detector ?? throw new ArgumentNullException(nameof(detector));
        this.landmarker = landmarker ?? throw new ArgumentNullException(nameof(landmarker));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.owned = owned ?? [];
    }

    /// <summary>Backends, for the record.</summary>
    public string Backend => $"{detector.BackendName} + {landmarker.BackendName}";

    /// <summary>Loads the face-api.js networks.</summary>
    /// <exception cref="PreprocessException">The model folder is missing (ModelsMissing).</exception>
    public static async Task<FrameLandmarkDetector> LoadAsync(FrameLandmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = FaceModelLocator.Resolve(options.FaceModelsPath);
        var device = torch.device(options.Device);
        var detector = await TinyFaceDetector.LoadAsync(folder, new TinyFaceDetectorOptions { ScoreThreshold = options.MinScore }, device, cancellationToken).ConfigureAwait(false);
        var landmarks = await FaceLandmark68Detector.LoadAsync(folder, options.TinyLandmarkNet, device, cancellationToken).ConfigureAwait(false);
        return new FrameLandmarkDetector(detector, landmarks, options, [detector, landmarks]);
    }

    /// <summary>Detects landmarks on <paramref name="frame"/> near the <paramref name="expected"/> ones (136 values, frame pixels, centres at +0.5).</summary>
    public async Task<LandmarkDetection> DetectAsync(RgbImage frame, float[] expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(expected);
        var buffer = ToBuffer(frame);
        var faces = await detector.DetectAsync(buffer, cancellationToken).ConfigureAwait(false);
        var box = ExpectedBox(expected);
        var best = faces
            .Select(f => (Face: f, Overlap: f.Box.IntersectionOverUnion(box)))
            .Where(x => x.Overlap >= options.MinBoxOverlap)
            .OrderByDescending(x => x.Overlap)
            .FirstOrDefault();
        if (best.Face is null) return new LandmarkDetection(null, "no-face", 0, double.NaN);
        var found = await landmarker.DetectAsync(buffer, best.Face.Box, cancellationToken).ConfigureAwait(false);
        // face-api's pixel centres are at integers; the Graphics convention puts them at +0.5.
        var points = found.ToArray().Select(v => v + 0.5f).ToArray();
        double size = Math.Max(box.Width, box.Height), sum = 0;
        int n = 0;
        for (int i = 0; i < 68; i++)
        {
            if (float.IsNaN(expected[2 * i])) continue;
            sum += Math.Sqrt(Math.Pow(points[2 * i] - expected[2 * i], 2) + Math.Pow(points[2 * i + 1] - expected[2 * i + 1], 2));
            n++;
        }
        double deviation = n > 0 ? sum / n / size : double.NaN;
        return deviation <= options.MaxMeanDeviation
            ? new LandmarkDetection(points, "detected", best.Face.Score, deviation)
            : new LandmarkDetection(null, "implausible", best.Face.Score, deviation);
    }

    private static FaceBox ExpectedBox(float[] expected)
    {
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        for (int i = 0; i < 68; i++)
        {
            float x = expected[2 * i] - 0.5f, y = expected[2 * i + 1] - 0.5f;
            if (float.IsNaN(x) || float.IsNaN(y)) continue;
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        // The landmarks span brows to chin; the detector's box reaches a little above the brows.
        double h = maxY - minY;
        return new FaceBox(minX, minY - 0.15 * h, maxX - minX, 1.15 * h);
    }

    private static RgbImageBuffer ToBuffer(RgbImage image)
    {
        var buffer = new RgbImageBuffer(image.Width, image.Height);
        int n = image.Width * image.Height;
        for (int i = 0; i < n; i++)
        {
            buffer.Data[i] = image.Data[3 * i] * 255f;
            buffer.Data[n + i] = image.Data[3 * i + 1] * 255f;
            buffer.Data[2 * n + i] = image.Data[3 * i + 2] * 255f;
        }
        return buffer;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
    }
}
