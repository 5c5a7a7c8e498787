using System.Text.Json;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// MediaPipe's canonical face model (Apache-2.0): the 468 FaceMesh vertices of a neutral face in centimetres
/// (+x image right, +y up, +z towards the camera) and its 898 triangles. Embedded resource, extracted from the npm
/// package @mediapipe/face_mesh 0.4.1657299874 by infra/node/scripts/extract-mediapipe-canonical-face.py.
/// </summary>
public sealed class MediaPipeCanonicalFace
{
    public const int VertexCount = 468;
    private const string ResourceName = "FaceCraft4D.Vision.mediapipe-canonical-face.json";
    private static readonly Lazy<MediaPipeCanonicalFace> Shared = new(Load);

    private MediaPipeCanonicalFace(double[][] vertices, int[][] triangles) { Vertices = vertices; Triangles = triangles; }

    /// <summary>[468][x, y, z], centimetres.</summary>
    public IReadOnlyList<double[]> Vertices { get; }
    public IReadOnlyList<int[]> Triangles { get; }

    /// <summary>The embedded model (parsed once; immutable).</summary>
    public static MediaPipeCanonicalFace Instance => Shared.Value;

    /// <summary>
    /// FaceMesh vertex for iBUG-68 landmarks that both describe the same anatomical point (eye corners, nose tip and
    /// base, mouth corners, lip midpoints, chin, nose root): the anchors that align the canonical face to a head model.
    /// </summary>
    public static readonly IReadOnlyDictionary<int, int> IbugAnchors = new Dictionary<int, int>
    {
        [8] = 152, [27] = 168, [30] = 4, [33] = 2, [36] = 33, [39] = 133, [42] = 362, [45] = 263,
        [48] = 61, [51] = 0, [54] = 291, [57] = 17, [62] = 13, [66] = 14,
    };

    private static MediaPipeCanonicalFace Load()
    {
        using var stream = typeof(MediaPipeCanonicalFace).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the Vision assembly.");
        using var doc = JsonDocument.Parse(stream);
        var v = doc.RootElement.GetProperty("vertices").EnumerateArray()
            .Select(p => p.EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        var t = doc.RootElement.GetProperty("triangles").EnumerateArray()
            .Select(p => p.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        if (v.Length != VertexCount || v.Any(p => p.Length != 3)) throw new InvalidDataException("canonical face: expected 468 vertices x 3.");
        return new MediaPipeCanonicalFace(v, t);
    }
}
