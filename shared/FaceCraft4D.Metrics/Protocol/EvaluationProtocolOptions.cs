namespace FaceCraft4D.Metrics.Protocol;

/// <summary>
/// The evaluation protocol (configuration section <c>Metrics:Protocol</c>). Defaults — the five static views of the
/// paper's comparison: frontal (yaw 0°), left-frontal (+30°), left (+60°), right-frontal (−30°), right (−60°), all at
/// pitch 0 (yaw positive = camera toward the subject's left, see <see cref="CameraSpec"/>). ±60° keeps both eyes'
/// landmarks detectable, so ID similarity is defined on every view; profiles (±90°) would mostly yield "no face".
/// Animation: every clip is rendered from <see cref="AnimationViews"/>, so expression fidelity is measured across views.
/// </summary>
public sealed class EvaluationProtocolOptions
{
    /// <summary>Square render/metric resolution (the aligned crop is 512).</summary>
    public int ImageSize { get; set; } = 512;

    public List<StaticViewOptions> StaticViews { get; set; } =
    [
        new() { Name = "left-frontal", YawDegrees = 30 },
        new() { Name = "left", YawDegrees = 60 },
        new() { Name = "right-frontal", YawDegrees = -30 },
        new() { Name = "right", YawDegrees = -60 },
        new() { Name = "frontal", YawDegrees = 0 },
    ];

    /// <summary>Static view names the driven clips are rendered from.</summary>
    public List<string> AnimationViews { get; set; } = ["frontal", "left-frontal", "right-frontal"];

    /// <summary>Frames of each built-in driving clip (used when the caller supplies no clips).</summary>
    public int FramesPerClip { get; set; } = 8;

    /// <summary>FLAME expression coefficients of the built-in clips (FLAME 2020/2023: 100; 50 for trimmed models).</summary>
    public int ExpressionCount { get; set; } = 100;

    /// <summary>Largest jaw opening of the built-in <c>jaw-open</c> clip, radians about x.</summary>
    public double MaxJawOpenRadians { get; set; } = 0.35;

    /// <summary>Largest |coefficient| of the built-in <c>expression-sweep</c> clip (FLAME components are unit-variance).</summary>
    public double ExpressionAmplitude { get; set; } = 2.0;

    /// <summary>How many leading expression components the sweep visits (each goes +a then −a).</summary>
    public int SweepComponents { get; set; } = 4;
}
