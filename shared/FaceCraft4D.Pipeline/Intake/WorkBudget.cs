using System.Globalization;
using FaceCraft4D.Contracts;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// The server-side work budget of each preset: the preset's own <see cref="RunWorkEstimate"/> times
/// <see cref="WorkBudgetOptions.BudgetHeadroom"/>. A request's resolved settings must stay within the budget of the preset
/// they started from unless the caller may go beyond it (<see cref="WorkAllowance.BeyondPresetBudget"/>).
/// </summary>
public sealed class WorkBudget(IOptions<WorkBudgetOptions> options)
{
    /// <summary>The budget of a preset (pixel-iterations).</summary>
    public double For(string preset) => RunWorkEstimate.For(PipelinePresets.Get(preset)).Total * options.Value.BudgetHeadroom;

    /// <summary>Throws <see cref="WorkBudgetExceededException"/> when <paramref name="settings"/> ask for more than their preset's budget.</summary>
    /// <param name="settings">Validated settings (their <see cref="PipelineSettings.Preset"/> names the budget).</param>
    /// <param name="overridden">Setting names (camelCase) the request changed, named first among the drivers.</param>
    public void Check(PipelineSettings settings, IReadOnlyCollection<string> overridden)
    {
        var estimate = RunWorkEstimate.For(settings);
        var budget = For(settings.Preset);
        var requested = estimate.Total;
        if (requested <= budget)
        {
            return;
        }

        var dominant = estimate.Dominant();
        var drivers = dominant.SelectMany(s => s.DrivenBy).Distinct().ToArray();
        var changed = drivers.Where(d => overridden.Contains(d, StringComparer.OrdinalIgnoreCase)).ToArray();
        var named = changed.Length > 0 ? changed : drivers;
        var stages = string.Join(", ", dominant.Select(s =>
            $"{s.Stage.Slug()} {s.Work / requested:P0} ({s.WorkItems} item(s) x {s.Iterations} iteration(s) x {s.Pixels} px)"));
        var message = string.Create(CultureInfo.InvariantCulture,
            $"The request asks for {requested:0.###e+0} pixel-iterations of work, {requested / budget:0.#}x the '{settings.Preset}' preset's budget of " +
            $"{budget:0.###e+0}. Most of it is {stages}; lower {string.Join(", ", named.Select(n => $"{n}={Value(settings, n)}"))}, or ask an operator.");
        throw new WorkBudgetExceededException(message, settings.Preset, budget, requested, named);
    }

    private static string Value(PipelineSettings settings, string name) =>
        typeof(PipelineSettings).GetProperty(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase)
            ?.GetValue(settings) is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : "?";
}
