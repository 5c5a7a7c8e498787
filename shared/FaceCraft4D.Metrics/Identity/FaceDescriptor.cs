using FaceCraft4D.Vision.Preprocessing.Detection;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>A face-recognition embedding of one face and where it came from.</summary>
/// <param name="Values">The descriptor (128 values for the official net).</param>
/// <param name="CropBox">Image region the descriptor was computed from (pixels).</param>
/// <param name="DetectionScore">Detector confidence; 1 when the crop was given.</param>
public sealed record FaceDescriptor(float[] Values, FaceBox CropBox, double DetectionScore)
{
    /// <summary>Cosine similarity of two descriptors, in [−1, 1].</summary>
    public double CosineSimilarity(FaceDescriptor other) => Cosine(Values, other.Values);

    /// <summary>Euclidean distance (face-api.js: below 0.6 usually means the same person).</summary>
    public double EuclideanDistance(FaceDescriptor other)
    {
        if (Values.Length != other.Values.Length) throw new ArgumentException("descriptor lengths differ");
        double s = 0;
        for (int i = 0; i < Values.Length; i++) s += (Values[i] - other.Values[i]) * (double)(Values[i] - other.Values[i]);
        return Math.Sqrt(s);
    }

    public static double Cosine(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("vector lengths differ");
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Count; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
