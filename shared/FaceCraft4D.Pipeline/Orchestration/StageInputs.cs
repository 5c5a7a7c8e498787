using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// Composes a work item's named inputs from upstream outcomes: <c>{stage}/{output}</c> for single stages and
/// <c>{stage}/{key}/{output}</c> for fan-out stages.
/// </summary>
public static class StageInputs
{
    /// <summary>The run's portrait as the input of the first stage.</summary>
    public static IReadOnlyDictionary<string, BlobRef> Portrait(BlobRef portrait) =>
        new Dictionary<string, BlobRef> { ["input/portrait"] = portrait };

    /// <summary>All outputs of the given outcomes, named by stage (and key for fan-out items).</summary>
    public static IReadOnlyDictionary<string, BlobRef> From(params IEnumerable<StageOutcome>[] groups)
    {
        var inputs = new Dictionary<string, BlobRef>(StringComparer.Ordinal);
        foreach (var outcome in groups.SelectMany(g => g))
        {
            var prefix = outcome.Key == PipelinePlan.SingleKey
                ? $"{outcome.Stage.Slug()}/"
                : $"{outcome.Stage.Slug()}/{outcome.Key}/";
            foreach (var (name, blob) in outcome.Outputs)
            {
                inputs[prefix + name] = blob;
            }
        }

        return inputs;
    }
}
