using FaceCraft4D.Vision.Preprocessing.Imaging;
using FaceCraft4D.Vision.Preprocessing.Landmarks;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>
/// Dense 3D face landmarks: a rotation-aligned 192x192 crop (eyes level, from the 68 landmarks, then re-cropped
/// around the mesh like MediaPipe's tracking), the FaceMesh graph, the attention refinement merged (478 points),
/// and the points mapped back to image pixels with z in the same pixel scale.
/// </summary>
public sealed class FaceMeshLandmarker : IDisposable
{
    private readonly FaceMeshNetwork network;
    private readonly FaceMeshOptions options;

    public FaceMeshLandmarker(FaceMeshNetwork network, FaceMeshOptions options)
    {
        this.network = network; this.options = options;
    }

    public string BackendName => network.BackendName;

    /// <summary>Loads the configured variant; throws FileNotFoundException naming the path and install hint when absent.</summary>
    public static async Task<FaceMeshLandmarker> LoadAsync(FaceMeshOptions options, Device device, CancellationToken ct)
    {
        var file = FaceMeshNetwork.ModelFile(options.Variant);
        var path = HumanModelsLocator.TryResolveFile(options.ModelsPath, file)
            ?? throw new FileNotFoundException(
                $"FaceMesh model {file} not found (looked in {options.ModelsPath ?? Environment.GetEnvironmentVariable(HumanModelsLocator.EnvironmentVariable) ?? "the npm install"}); {HumanModelsLocator.InstallHint}.");
        var net = await FaceMeshNetwork.LoadAsync(path, options.Variant, device, ct).ConfigureAwait(false);
        return new FaceMeshLandmarker(net, options);
    }

    /// <summary>
    /// Runs on <paramref name="image"/> (planar RGB 0..255) around the face given by its 68 landmarks (image pixels).
    /// Returns the final pass's landmarks; check <see cref="DenseFaceLandmarks.FaceScore"/> against MinFaceScore.
    /// </summary>
    public DenseFaceLandmarks Detect(RgbImageBuffer image, FaceLandmarks68 landmarks, CancellationToken ct)
    {
        var roi = FaceMeshRoi.Around(landmarks.ToArray(), 2, landmarks.RightEyeCentre, landmarks.LeftEyeCentre,
            options.FirstPassScale, options.FirstPassShiftUp);
        DenseFaceLandmarks result = Run(image, roi);
        for (int pass = 1; pass < Math.Max(1, options.Passes); pass++)
        {
            ct.ThrowIfCancellationRequested();
            var pts = result.ToArray();
            var (x33, y33, _) = result[33];
            var (x263, y263, _) = result[263];
            // Bounds of the 468 mesh points only (irises lie inside them anyway).
            roi = FaceMeshRoi.Around(new ArraySegment<float>(pts, 0, 3 * FaceMeshRefinement.MeshCount), 3, (x33, y33), (x263, y263), options.MeshRoiScale);
            result = Run(image, roi);
        }
        return result;
    }

    /// <summary>One pass on the crop of <paramref name="roi"/>.</summary>
    public DenseFaceLandmarks Run(RgbImageBuffer image, FaceMeshRoi roi)
    {
        const int s = FaceMeshNetwork.InputSize;
        var photoToCrop = roi.PhotoToCrop(s);
        var crop = AffineWarper.Warp(image, photoToCrop.Inverse(), s, s, BorderMode.Replicate);
        FaceMeshRawOutput raw;
        using (var planar = torch.tensor(crop.Data, new long[] { 1, 3, s, s }))
        using (var nhwc = planar.permute(0, 2, 3, 1))
        using (var x = nhwc.DividedBy(255f))
            raw = network.Run(x); // x [1, 192, 192, 3] RGB 0..1
        var points = network.Variant == FaceMeshVariant.Attention ? FaceMeshRefinement.Merge(raw) : raw.Mesh;
        return FromCrop(points, photoToCrop, roi, raw.FaceScore);
    }

    /// <summary>
    /// Crop outputs (continuous crop coordinates 0..192 spanning the ROI, z in crop pixels) to image pixels:
    /// pixel centres sit at +0.5 in the network's frame and at integers in the warper's.
    /// </summary>
    private DenseFaceLandmarks FromCrop(float[] points, SimilarityMap photoToCrop, FaceMeshRoi roi, double score)
    {
        var cropToPhoto = photoToCrop.Inverse();
        double zScale = cropToPhoto.Scale;
        var r = new float[points.Length];
        for (int i = 0; i < points.Length / 3; i++)
        {
            var (x, y) = cropToPhoto.Apply(points[3 * i] - 0.5, points[3 * i + 1] - 0.5);
            r[3 * i] = (float)x; r[3 * i + 1] = (float)y; r[3 * i + 2] = (float)(points[3 * i + 2] * zScale);
        }
        return new DenseFaceLandmarks(r, BackendName, score, roi);
    }

    public void Dispose() => network.Dispose();
}
