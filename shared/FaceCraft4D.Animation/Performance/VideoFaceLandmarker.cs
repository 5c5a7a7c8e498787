using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Animation.Performance;

/// <summary>
/// Landmarks on the frames of a user's video: every face is detected (face-api.js TinyFaceDetector port), the LARGEST
/// box is tracked (more than one face is counted, for the several-faces flag), its 68 landmarks placed (FaceLandmark68Net
/// port), and, when the FaceMesh weights are present, the dense MediaPipe mesh (478 points with the attention variant)
/// seeded from those 68. A mesh whose face score is below <see cref="MinDenseFaceScore"/> is dropped (the 68 are used).
/// Calls are serialised (the networks run one frame at a time), so one instance can serve a worker's concurrent jobs.
/// </summary>
public sealed class VideoFaceLandmarker : IDisposable
{
    private readonly IFaceDetector detector;
    private readonly ILandmarkDetector landmarker;
    private readonly FaceMeshLandmarker? mesh;
    private readonly IReadOnlyList<IDisposable> owned;
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Wraps detectors (the <paramref name="owned"/> ones are disposed with this instance).</summary>
    public VideoFaceLandmarker(IFaceDetector detector, ILandmarkDetector landmarker, FaceMeshLandmarker? mesh, double minDenseFaceScore = 0.5, IReadOnlyList<IDisposable>? owned = null)
    {
        this.detector = detector ?? throw new ArgumentNullException(nameof(detector));
        this.landmarker = landmarker ?? throw new ArgumentNullException(nameof(landmarker));
        this.mesh = mesh;
        MinDenseFaceScore = minDenseFaceScore;
        this.owned = owned ?? [];
    }

    /// <summary>Below this FaceMesh face score the dense mesh of a frame is dropped.</summary>
    public double MinDenseFaceScore { get; }

    /// <summary>Whether the dense mesh is available.</summary>
    public bool HasDenseMesh => mesh is not null;

    /// <summary>The landmark backend recorded with tracks: <c>facemesh-attention</c>, <c>facemesh</c> or <c>face-api-68</c>.</summary>
    public string LandmarkBackend => mesh?.BackendName ?? "face-api-68";

    /// <summary>Detector and landmark networks, for the record.</summary>
    public string Backend => $"{detector.BackendName} + {landmarker.BackendName}" + (mesh is null ? "" : $" + {mesh.BackendName}");

    /// <summary>Landmarks of the largest face on <paramref name="frame"/> (index <paramref name="index"/>).</summary>
    public async Task<FaceObservation> ObserveAsync(Image<Rgb24> frame, int index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ObserveCoreAsync(frame, index, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<FaceObservation> ObserveCoreAsync(Image<Rgb24> frame, int index, CancellationToken cancellationToken)
    {
        var buffer = RgbImageBuffer.FromImage(frame);
        var faces = await detector.DetectAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (faces.Count == 0) return new FaceObservation(index, 0, null, null, frame.Width, frame.Height);
        var largest = faces.OrderByDescending(f => f.Box.Area).First();
        var found = await landmarker.DetectAsync(buffer, largest.Box, cancellationToken).ConfigureAwait(false);
        // face-api's pixel centres are at integers; the Graphics convention (and FaceMesh's output) puts them at +0.5.
        var points = found.ToArray().Select(v => v + 0.5f).ToArray();
        float[]? dense = null;
        if (mesh is not null)
        {
            var result = mesh.Detect(buffer, found, cancellationToken);
            if (result.FaceScore >= MinDenseFaceScore)
            {
                // Same shift for the mesh (its points come back in the warper's integer-centred pixels).
                dense = result.ToArray();
                for (int i = 0; i < dense.Length; i += 3) { dense[i] += 0.5f; dense[i + 1] += 0.5f; }
            }
        }
        return new FaceObservation(index, faces.Count, points, dense, frame.Width, frame.Height);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
        gate.Dispose();
    }
}
