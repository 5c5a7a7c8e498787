using FaceCraft4D.Contracts;

namespace FaceCraft4D.Stages;

/// <summary>Reads a stage's named inputs, answering a missing name or blob with <see cref="StageInputException"/> (<c>input-missing</c>).</summary>
public static class StageInputReading
{
    /// <summary>Reads a named input whole.</summary>
    public static Task<BinaryData> ReadRequiredAsync(this StageJobContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Inputs.ContainsKey(name))
            throw new StageInputException("input-missing",
                $"Stage {context.Request.Stage.Slug()} work item {context.Request.Key} needs input '{name}'; it has: {string.Join(", ", context.Request.Inputs.Keys.Order(StringComparer.Ordinal))}.");
        return context.ReadInputAsync(name);
    }

    /// <summary>Reads a named JSON input.</summary>
    public static Task<T> ReadRequiredJsonAsync<T>(this StageJobContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Inputs.ContainsKey(name))
            throw new StageInputException("input-missing", $"Stage {context.Request.Stage.Slug()} work item {context.Request.Key} needs input '{name}'.");
        return context.ReadJsonInputAsync<T>(name);
    }
}
