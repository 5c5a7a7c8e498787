namespace FaceCraft4D.Animation.Performance;

/// <summary>The tracked frames of one chunk (its whole tracked range, overlap included) with the observations they were fitted to.</summary>
/// <param name="Range">The chunk.</param>
/// <param name="Frames">Tracked frames, one per frame of <see cref="ChunkRange.TrackFirst"/>..<see cref="ChunkRange.TrackEnd"/>.</param>
/// <param name="Observations">The landmarks of the same frames.</param>
/// <param name="LandmarkBackend"><c>facemesh-attention</c>, <c>facemesh</c> or <c>face-api-68</c>.</param>
public sealed record PerformanceChunk(ChunkRange Range, IReadOnlyList<PerformanceFrame> Frames, IReadOnlyList<FaceObservation> Observations, string LandmarkBackend)
{
    /// <summary>Frames (of the whole tracked range) on which more than one face was found.</summary>
    public int SeveralFacesFrames => Observations.Count(o => o.FacesFound > 1);

    /// <summary>Frames without a face.</summary>
    public int NoFaceFrames => Observations.Count(o => !o.HasFace);

    /// <summary>Mean reprojection error over the inter-ocular distance of the tracked frames (NaN when none).</summary>
    public double MeanErrorIod => Frames.Where(f => f.Tracked).Select(f => f.ErrorIod).DefaultIfEmpty(double.NaN).Average();
}
