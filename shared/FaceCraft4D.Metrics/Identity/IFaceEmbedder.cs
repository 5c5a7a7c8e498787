using FaceCraft4D.Vision.Preprocessing.Imaging;

namespace FaceCraft4D.Metrics.Identity;

/// <summary>A face-recognition backend: finds the face in an image and returns its identity embedding.</summary>
public interface IFaceEmbedder : IDisposable
{
    /// <summary>What produced the embeddings (recorded in <see cref="MetricResult.Model"/>).</summary>
    string BackendName { get; }

    /// <summary>Embedding of the best-scoring face, or null when no face is found.</summary>
    Task<FaceDescriptor?> DescribeAsync(RgbImageBuffer image, CancellationToken ct);
}
