namespace FaceCraft4D.Animation.Tracking;

/// <summary>What landmark detection found on one frame.</summary>
/// <param name="Landmarks">iBUG-68 landmarks (x/y interleaved, frame pixels, centres at +0.5), or null when rejected.</param>
/// <param name="Outcome"><c>detected</c>, <c>no-face</c>, <c>implausible</c> (far from the expected face) or <c>skipped</c> (view turned too far).</param>
/// <param name="Score">Detector score of the chosen face (0 when none).</param>
/// <param name="Deviation">Mean distance to the expected landmarks in expected-box sizes (NaN when not measured).</param>
public sealed record LandmarkDetection(float[]? Landmarks, string Outcome, double Score, double Deviation)
{
    /// <summary>A view that is not searched.</summary>
    public static LandmarkDetection Skipped { get; } = new(null, "skipped", 0, double.NaN);
}
