namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>Tunables of <see cref="LivePortraitAnimator"/> (bind from "Priors:LivePortrait:Animate").</summary>
public sealed class LivePortraitAnimationOptions
{
    /// <summary>Apply the stitching MLP to the driven keypoints (official default true).</summary>
    public bool UseStitching { get; set; } = true;

    /// <summary>x_d ← x_s + (x_d − x_s)·multiplier after stitching (official driving_multiplier, default 1).</summary>
    public double DrivingMultiplier { get; set; } = 1.0;

    /// <summary>Frames warped and decoded per batch (memory vs. speed).</summary>
    public int FrameBatchSize { get; set; } = 4;
}
