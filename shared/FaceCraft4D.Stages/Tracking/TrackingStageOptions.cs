using FaceCraft4D.Animation.Tracking;

namespace FaceCraft4D.Stages.Tracking;

/// <summary>Configuration section <c>Fc4d:Tracking</c>: stage 6 (TrackFlame).</summary>
public sealed class TrackingStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Tracking";

    /// <summary>The tracker's weights, learning rates, resolution and renderer.</summary>
    public FlameTrackingOptions Tracker { get; set; } = new();

    /// <summary>Landmark detection on the frames.</summary>
    public FrameLandmarkOptions Landmarks { get; set; } = new();

    /// <summary>Frames of the first clip shown in <c>tracking-overlay.png</c> (frame above, tracked render below).</summary>
    public int OverlayFrames { get; set; } = 6;
}
