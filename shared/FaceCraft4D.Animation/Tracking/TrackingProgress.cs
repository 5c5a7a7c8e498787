namespace FaceCraft4D.Animation.Tracking;

/// <summary>Progress of <see cref="FlameTracker"/>: phase (first-frame, sequential, global), step counts and the last loss.</summary>
public sealed record TrackingProgress(string Phase, long Done, long Total, double Loss);
