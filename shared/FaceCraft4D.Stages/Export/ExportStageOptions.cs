using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Stages.Export;

/// <summary>Configuration section <c>Fc4d:Export</c> of the Export stage.</summary>
public sealed class ExportStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Export";

    /// <summary><c>auto</c>, <c>cpu</c> or <c>cuda[:N]</c> (rendering the previews and posing the frames).</summary>
    [Required] public string Device { get; set; } = "auto";

    /// <summary>Fold the reference view's COIN offsets into the SH DC colours (paper: inference uses the reference embedding).</summary>
    public bool BakeReferenceOffsets { get; set; } = true;

    /// <summary>Turntable frames (PNG each, and one looping GIF).</summary>
    [Range(1, 720)] public int TurntableFrames { get; set; } = 36;

    /// <summary>Turntable image side, pixels.</summary>
    [Range(16, 4096)] public int TurntableSize { get; set; } = 256;

    /// <summary>GIF frame delay, hundredths of a second.</summary>
    [Range(1, 1000)] public int GifFrameDelay { get; set; } = 8;

    /// <summary>Posed 3DGS .ply files written per clip (evenly spread frames; 0 = none).</summary>
    [Range(0, 10_000)] public int PosedPlyPerClip { get; set; } = 1;

    /// <summary>Store the per-frame triangle frames as float16 (half the size; about 0.25 mm steps at head scale) instead of float32.</summary>
    public bool AnimationHalfPrecision { get; set; } = true;

    /// <summary>Frames of the synthetic demo clip written when the run has no tracked clips.</summary>
    [Range(2, 1000)] public int DemoClipFrames { get; set; } = 48;

    /// <summary>Side of the animated preview GIF of the first clip (0 = none).</summary>
    [Range(0, 4096)] public int AnimationPreviewSize { get; set; } = 192;

    /// <summary>Checks the ranges; throws <see cref="ValidationException"/>.</summary>
    public ExportStageOptions Validated()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        return this;
    }
}
