using System.ComponentModel.DataAnnotations;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// Configuration section <c>Fc4d:Limits</c> (the work-budget part; the rate limits of the HTTP API read the same section):
/// how much work (<see cref="FaceCraft4D.Contracts.RunWorkEstimate"/>) a request may ask for.
/// </summary>
public sealed class WorkBudgetOptions
{
    public const string SectionName = "Fc4d:Limits";

    /// <summary>
    /// A preset's budget is its own settings' work estimate times this factor: at 1.0 (default) per-request overrides
    /// may trade work between stages (more views, fewer iterations) but never ask for more work than the preset.
    /// </summary>
    [Range(1.0, 1000.0)] public double BudgetHeadroom { get; set; } = 1.0;
}
