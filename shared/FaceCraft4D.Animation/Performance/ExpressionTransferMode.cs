namespace FaceCraft4D.Animation.Performance;

/// <summary>How tracked video parameters become the avatar's.</summary>
public enum ExpressionTransferMode
{
    /// <summary>Deltas from the video's reference (neutral-ish) frame added to the avatar's neutral (LivePortrait's relative motion).</summary>
    Relative,

    /// <summary>The tracked expression, jaw, eyes and head rotation as they are.</summary>
    Absolute,
}
