using FaceCraft4D.Vision.ImagePrior;

namespace FaceCraft4D.Stages.ImagePrior;

/// <summary>Configuration section <c>Fc4d:ImagePrior</c>.</summary>
public sealed class ImagePriorStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:ImagePrior";

    /// <summary>Depth warping and visibility masks.</summary>
    public DepthWarpOptions Warp { get; set; } = new();

    /// <summary>The <c>warp</c> backend's blend (<see cref="WarpBlendViewEnhancer"/>).</summary>
    public WarpBlendOptions Blend { get; set; } = new();
}
