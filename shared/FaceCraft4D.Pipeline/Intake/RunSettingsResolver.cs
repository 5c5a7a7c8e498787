using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using FaceCraft4D.Contracts;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// Turns a request's preset name and optional setting overrides into validated <see cref="PipelineSettings"/>.
/// Unknown setting names and out-of-range values are refused with a clear message.
/// </summary>
public sealed class RunSettingsResolver(IOptions<PipelineOptions> options)
{
    /// <summary>The settings for a request; throws <see cref="InvalidSettingsException"/>.</summary>
    public PipelineSettings Resolve(string? preset, JsonObject? overrides)
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
        foreach (var (name, value) in overrides)
        {
            var known = merged.Select(kv => kv.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (known is null || known is "preset" or "backViewIndex")
            {
                throw new InvalidSettingsException(
                    $"Unknown or read-only setting '{name}'. Settings: {string.Join(", ", merged.Select(kv => kv.Key).Where(k => k is not "preset" and not "backViewIndex"))}.");
            }

            merged[known] = value?.DeepClone();
        }

        try
        {
            return merged.Deserialize<PipelineSettings>(ContractJson.Options)!.Validated();
        }
        catch (Exception e) when (e is JsonException or ValidationException)
        {
            throw new InvalidSettingsException($"Invalid settings: {e.Message}");
        }
    }
}

/// <summary>The requested settings are not valid.</summary>
public sealed class InvalidSettingsException(string message) : Exception(message);
