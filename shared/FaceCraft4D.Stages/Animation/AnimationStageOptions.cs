using FaceCraft4D.Animation.Clips;
using FaceCraft4D.Animation.Mouth;
using FaceCraft4D.Animation.Rendering;
using FaceCraft4D.Animation.Rig;
using FaceCraft4D.Priors.LivePortrait;

namespace FaceCraft4D.Stages.Animation;

/// <summary>Configuration section <c>Fc4d:Animation</c>: stage 5 (AnimateView) and the head both stages 5 and 6 animate.</summary>
public sealed class AnimationStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Animation";

    /// <summary>TorchSharp device for FLAME and LivePortrait ("cpu", "cuda").</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Driving clips.</summary>
    public ClipLibraryOptions Clips { get; set; } = new();

    /// <summary>Semantic control solver.</summary>
    public ExpressionControlSolverOptions Controls { get; set; } = new();

    /// <summary>Inner-mouth cavity.</summary>
    public MouthInteriorOptions Mouth { get; set; } = new();

    /// <summary>Mouth interior colours.</summary>
    public MouthPalette Palette { get; set; } = new();

    /// <summary>Frame rendering (rig backend and LivePortrait driving frames).</summary>
    public FrameRenderOptions Render { get; set; } = new();

    /// <summary>Texture re-bake from the enhanced views.</summary>
    public TextureRebakeOptions Texture { get; set; } = new();

    /// <summary>Folder of the LivePortrait weights in the models store (layout: shared/FaceCraft4D.Priors/README.md).</summary>
    public string LivePortraitPath { get; set; } = "liveportrait/v1";

    /// <summary>Local folder where LivePortrait weights from the blob store are cached (default: the temp folder).</summary>
    public string? LivePortraitCache { get; set; }

    /// <summary>Input side of the LivePortrait networks (256 for the official weights).</summary>
    public int LivePortraitInputSize { get; set; } = 256;

    /// <summary>LivePortrait animation settings (stitching, multiplier, batching).</summary>
    public LivePortraitAnimationOptions LivePortrait { get; set; } = new();

    /// <summary>Frames shown in <c>strip.png</c> (evenly spaced).</summary>
    public int StripFrames { get; set; } = 8;

    /// <summary>Height of each frame in <c>strip.png</c>, pixels.</summary>
    public int StripHeight { get; set; } = 128;
}
