namespace FaceCraft4D.Vision.Preprocessing.Detection;

/// <summary>Greedy non-maximum suppression: keep the best box, drop boxes overlapping it above the IoU threshold, repeat.</summary>
public static class NonMaxSuppression
{
    public static IReadOnlyList<FaceDetection> Apply(IEnumerable<FaceDetection> candidates, double iouThreshold, int maxResults = 100)
    {
        var sorted = candidates.OrderByDescending(d => d.Score).ToList();
        var kept = new List<FaceDetection>();
        foreach (var d in sorted)
        {
            if (kept.Count >= maxResults) break;
            if (kept.All(k => k.Box.IntersectionOverUnion(d.Box) <= iouThreshold)) kept.Add(d);
        }
        return kept;
    }
}
