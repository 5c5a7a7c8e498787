using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Contracts;

/// <summary>
/// Every number of a pipeline run in one place. Presets (<see cref="PipelinePresets"/>) give the
/// defaults; configuration section <c>Fc4d:Pipeline:Overrides</c> and per-request settings may change fields.
/// The settings are part of the run identity (<see cref="RunIdentity"/>). Every range stops at about ten times the
/// paper's value, so no single setting (even an operator's) asks for unbounded work; the product of them is bounded by
/// the preset's work budget (<see cref="RunWorkEstimate"/>).
/// </summary>
public sealed record PipelineSettings
{
    /// <summary>Name of the preset these settings started from.</summary>
    [Required] public string Preset { get; init; } = PipelinePresets.PreviewName;

    /// <summary>Side of the aligned square portrait crop, pixels (paper: 512).</summary>
    [Range(64, 1024)] public int CropSize { get; init; } = 256;

    /// <summary>
    /// Side of the orbit views and training renders, pixels (paper: 512). Preview 256 (was 128; s29 in
    /// docs/side-view-diagnosis.md): on the evaluation set 18 instead of 16 of 25 static faces, none lost, reference PSNR
    /// +1.1 to +1.7 dB on 5 of 6 runs; the quiet sample run takes 146 s instead of 82 s (2 cores).
    /// </summary>
    [Range(16, 1024)] public int RenderSize { get; init; } = 256;

    /// <summary>Number of orbit views along the horizon (paper: 24). View 0 is the reference (frontal).</summary>
    [Range(4, 48)] public int ViewCount { get; init; } = 8;

    /// <summary>Number of source views animated by the video prior (paper: 12 = reference + 11 frontal views).</summary>
    [Range(1, 48)] public int SourceViewCount { get; init; } = 3;

    /// <summary>Number of driving clips (paper: 8).</summary>
    [Range(1, 32)] public int ClipCount { get; init; } = 2;

    /// <summary>Frames per generated video (paper: driven by the NerSemble clip length).</summary>
    [Range(2, 256)] public int FramesPerClip { get; init; } = 6;

    /// <summary>Static GaussianAvatar iterations (paper: 30 000).</summary>
    [Range(1, 300_000)] public int StaticIterations { get; init; } = 200;

    /// <summary>COIN fine-tuning iterations (paper: 90 000).</summary>
    [Range(0, 900_000)] public int CoinIterations { get; init; } = 200;

    /// <summary>Training state is written to Blob Storage every this many iterations.</summary>
    [Range(1, 1_000_000)] public int CheckpointEvery { get; init; } = 100;

    /// <summary>FLAME tracking: iterations on the first frame (run to convergence).</summary>
    [Range(1, 10_000)] public int TrackingFirstFrameIterations { get; init; } = 100;

    /// <summary>FLAME tracking: iterations per following frame (paper: 50).</summary>
    [Range(1, 1_000)] public int TrackingPerFrameIterations { get; init; } = 10;

    /// <summary>FLAME tracking: global refinement epochs over random frames (paper: 30).</summary>
    [Range(0, 300)] public int TrackingGlobalEpochs { get; init; } = 2;

    /// <summary>DDIM steps of the image prior (paper: 25).</summary>
    [Range(1, 250)] public int DiffusionSteps { get; init; } = 25;

    /// <summary>Image prior strength: fraction of the schedule that is re-noised (paper: 0.4, noise at timestep 10 of 25).</summary>
    [Range(0.0, 1.0)] public double DiffusionStrength { get; init; } = 0.4;

    /// <summary>Shape prior backend: <c>template</c> (no weights) or <c>panohead</c>.</summary>
    [Required] public string ShapePriorBackend { get; init; } = "template";

    /// <summary>Image prior backend: <c>warp</c> (no weights) or <c>diffusion</c>.</summary>
    [Required] public string ImagePriorBackend { get; init; } = "warp";

    /// <summary>Video prior backend: <c>rig</c> (no weights) or <c>liveportrait</c>.</summary>
    [Required] public string VideoPriorBackend { get; init; } = "rig";

    /// <summary>Seed of every random choice of the run.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Index of the back view (180 degrees from the reference).</summary>
    public int BackViewIndex => ViewCount / 2;

    /// <summary>Checks ranges and cross-field rules; throws <see cref="ValidationException"/> with a clear message.</summary>
    public PipelineSettings Validated()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (SourceViewCount > ViewCount)
        {
            throw new ValidationException($"SourceViewCount ({SourceViewCount}) cannot exceed ViewCount ({ViewCount}).");
        }

        if (ViewCount % 2 != 0)
        {
            throw new ValidationException($"ViewCount ({ViewCount}) must be even so that a back view exists at 180 degrees.");
        }

        return this;
    }
}
