using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// Turns a request's preset name and optional setting overrides into validated <see cref="PipelineSettings"/>.
/// Unknown setting names and out-of-range values are refused with a clear message, and so are overrides that ask for
/// more work than the preset's budget (<see cref="WorkBudget"/>, <see cref="WorkBudgetExceededException"/>) unless the
/// caller may go beyond it.
/// </summary>
public sealed class RunSettingsResolver(IOptions<PipelineOptions> options, WorkBudget? budget = null)
{
    private readonly WorkBudget budget = budget ?? new WorkBudget(Options.Create(new WorkBudgetOptions()));

    /// <summary>The settings for a request; throws <see cref="InvalidSettingsException"/> (or its <see cref="WorkBudgetExceededException"/>).</summary>
    public PipelineSettings Resolve(string? preset, JsonObject? overrides, WorkAllowance allowance = WorkAllowance.WithinPresetBudget)
    {
        PipelineSettings basis;
        try
        {
            basis = PipelinePresets.Get(string.IsNullOrWhiteSpace(preset) ? options.Value.Preset : preset);
        }
        catch (ArgumentException e)
        {
            throw new InvalidSettingsException(e.Message);
        }

        if (overrides is null || overrides.Count == 0)
        {
            return basis;
        }

        var merged = JsonSerializer.SerializeToNode(basis, ContractJson.Options)!.AsObject();
        var overridden = new List<string>();
        foreach (var (name, value) in overrides)
        {
            var known = merged.Select(kv => kv.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (known is null || known is "preset" or "backViewIndex")
            {
                throw new InvalidSettingsException(
                    $"Unknown or read-only setting '{name}'. Settings: {string.Join(", ", merged.Select(kv => kv.Key).Where(k => k is not "preset" and not "backViewIndex"))}.");
            }

            merged[known] = value?.DeepClone();
            overridden.Add(known);
        }

        PipelineSettings resolved;
        try
        {
            resolved = merged.Deserialize<PipelineSettings>(ContractJson.Options)!.Validated();
        }
        catch (Exception e) when (e is JsonException or ValidationException)
        {
            throw new InvalidSettingsException($"Invalid settings: {e.Message}");
        }

        if (allowance == WorkAllowance.WithinPresetBudget)
        {
            budget.Check(resolved, overridden);
        }

        return resolved;
    }
}

/// <summary>The requested settings are not valid (HTTP 400 with <see cref="ReasonCode"/>).</summary>
public class InvalidSettingsException(string message) : Exception(message)
{
    /// <summary>Machine-readable reason of the refusal.</summary>
    public virtual string ReasonCode => "invalid-settings";
}
