namespace FaceCraft4D.Vision.Preprocessing.FaceMesh;

/// <summary>
/// MediaPipe FaceMesh landmarks in image pixels: 468 (or 478 with the attention model's irises) points as
/// interleaved (x, y, z). z is MediaPipe's relative depth in the same pixel scale as x (negative towards the
/// camera, about zero at the face's centre plane). Index meaning follows MediaPipe's canonical face model.
/// </summary>
public sealed class DenseFaceLandmarks
{
    private readonly float[] xyz;

    public DenseFaceLandmarks(float[] interleavedXyz, string backend, double faceScore, FaceMeshRoi roi)
    {
        if (interleavedXyz.Length % 3 != 0 || interleavedXyz.Length / 3 is not (FaceMeshRefinement.MeshCount or FaceMeshRefinement.RefinedCount))
            throw new ArgumentException($"expected 468 or 478 points x 3 values, got {interleavedXyz.Length} values", nameof(interleavedXyz));
        xyz = (float[])interleavedXyz.Clone();
        Backend = backend; FaceScore = faceScore; Roi = roi;
    }

    public int Count => xyz.Length / 3;
    /// <summary>"facemesh" or "facemesh-attention".</summary>
    public string Backend { get; }
    /// <summary>FaceMesh's face-presence probability for the final crop.</summary>
    public double FaceScore { get; }
    /// <summary>The crop region the final pass used (image pixels).</summary>
    public FaceMeshRoi Roi { get; }

    public (double X, double Y, double Z) this[int i] => (xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);

    /// <summary>Copy of [x0, y0, z0, x1, ...].</summary>
    public float[] ToArray() => (float[])xyz.Clone();

    /// <summary>The points under a similarity map of the image plane; z scales with the map's scale.</summary>
    public DenseFaceLandmarks Transform(Imaging.SimilarityMap map)
    {
        var r = new float[xyz.Length];
        double s = map.Scale;
        for (int i = 0; i < Count; i++)
        {
            var (x, y) = map.Apply(xyz[3 * i], xyz[3 * i + 1]);
            r[3 * i] = (float)x; r[3 * i + 1] = (float)y; r[3 * i + 2] = (float)(xyz[3 * i + 2] * s);
        }
        var (cx, cy) = map.Apply(Roi.CentreX, Roi.CentreY);
        return new DenseFaceLandmarks(r, Backend, FaceScore,
            new FaceMeshRoi(cx, cy, Roi.Side * s, Roi.AngleRadians + Math.Atan2(map.B, map.A)));
    }
}
