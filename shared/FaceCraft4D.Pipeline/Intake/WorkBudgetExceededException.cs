namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// The resolved settings ask for more work than their preset's budget (HTTP 400, reason <c>over-budget</c>). The message
/// names the budget, the request's figure and the settings that drive it.
/// </summary>
public sealed class WorkBudgetExceededException(string message, string preset, double budget, double requested, IReadOnlyList<string> drivenBy)
    : InvalidSettingsException(message)
{
    /// <summary>Reason code of an over-budget request.</summary>
    public const string Reason = "over-budget";

    /// <inheritdoc />
    public override string ReasonCode => Reason;

    /// <summary>The preset whose budget applies.</summary>
    public string Preset { get; } = preset;

    /// <summary>The budget (pixel-iterations).</summary>
    public double Budget { get; } = budget;

    /// <summary>The request's work estimate (pixel-iterations).</summary>
    public double Requested { get; } = requested;

    /// <summary>The settings (camelCase) that drive most of the requested work.</summary>
    public IReadOnlyList<string> DrivenBy { get; } = drivenBy;
}
