using FaceCraft4D.Metrics.Evaluation;

namespace FaceCraft4D.Stages.Evaluation;

/// <summary>Configuration section <c>Fc4d:Evaluate</c>: the Evaluate stage.</summary>
public sealed class EvaluateStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Evaluate";

    /// <summary>Side of the protocol renders in pixels; 0 = the protocol's <c>ImageSize</c> (512: renders are not upsampled from the training RenderSize).</summary>
    public int ImageSize { get; set; }

    /// <summary>Torch device of the renders (<c>cpu</c>, <c>cuda</c>).</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Protocol views, clips and metric switches.</summary>
    public EvaluationMetricsOptions Protocol { get; set; } = new();

    /// <summary>Which metric networks to load (weights from the models store; missing ones are skipped with a reason).</summary>
    public MetricModelOptions Models { get; set; } = new();

    /// <summary>Tile edge of <c>contact-sheet.png</c> (input photo beside renders at 0, ±30, ±60, 180°); 0 = no sheet.</summary>
    public int ContactSheetTileSize { get; set; } = 256;
}
