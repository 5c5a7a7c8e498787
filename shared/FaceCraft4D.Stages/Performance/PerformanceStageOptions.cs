using System.ComponentModel.DataAnnotations;
using FaceCraft4D.Animation.Performance;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;

namespace FaceCraft4D.Stages.Performance;

/// <summary>Configuration section <c>Fc4d:Performance</c> of the TrackVideo and VideoClip stages (driving an avatar with a user's video).</summary>
public sealed class PerformanceStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Performance";

    /// <summary><c>auto</c>, <c>cpu</c> or <c>cuda[:N]</c> (rendering the avatar previews; the per-frame fits run on the CPU).</summary>
    [Required] public string Device { get; set; } = "auto";

    /// <summary>The per-frame fit and the fan-in.</summary>
    [Required] public PerformanceTrackerOptions Tracker { get; set; } = new();

    /// <summary>Frames are decoded with the longer side at most this (pixels) for landmark detection.</summary>
    [Range(64, 4096)] public int TrackingMaxSide { get; set; } = 512;

    /// <summary>face-api.js model folder (null: FC4D_FACE_MODELS or the npm install).</summary>
    public string? FaceModelsPath { get; set; }

    /// <summary>Minimum face-detector score.</summary>
    [Range(0, 1)] public double MinFaceScore { get; set; } = 0.4;

    /// <summary>Dense landmarks (FaceMesh attention by default; its weights missing: the 68 points are used and the backend says so).</summary>
    [Required] public FaceMeshOptions FaceMesh { get; set; } = new();

    /// <summary>Side of the avatar half of the side-by-side previews (the driving video is scaled to the same height).</summary>
    [Range(32, 2048)] public int PreviewSize { get; set; } = 256;

    /// <summary>Longer side of the preview GIF.</summary>
    [Range(32, 2048)] public int GifMaxSide { get; set; } = 320;

    /// <summary>The GIF shows at most the first this-many seconds (it is held in memory; the MP4 has the whole clip).</summary>
    [Range(1, 600)] public double GifMaxSeconds { get; set; } = 8;

    /// <summary>Store the clip's per-frame triangle frames as float16 (as the bundled clips).</summary>
    public bool AnimationHalfPrecision { get; set; } = true;

    /// <summary>Warn when the jaw-lip correlation of a clip is below this.</summary>
    [Range(-1, 1)] public double LowCorrelationWarning { get; set; } = 0.5;

    /// <summary>Checks the ranges; throws <see cref="ValidationException"/>.</summary>
    public PerformanceStageOptions Validated()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        Tracker.Validated();
        return this;
    }
}
