namespace FaceCraft4D.Animation.Tracking;

/// <summary>What <see cref="FlameTracker"/> found: shared identity and static offsets, per-frame parameters, figures.</summary>
/// <param name="Shape">Identity coefficients (shared by every frame).</param>
/// <param name="Offsets">Static offsets [V0 * 3] in canonical space (the prior's plus the refinement), metres.</param>
/// <param name="Frames">Every frame of every clip, clip-major.</param>
/// <param name="Metrics">Figures (timings, losses, landmark errors).</param>
public sealed record TrackingResult(float[] Shape, float[] Offsets, IReadOnlyList<TrackedFrame> Frames, IReadOnlyDictionary<string, double> Metrics);
