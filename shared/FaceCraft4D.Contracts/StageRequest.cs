namespace FaceCraft4D.Contracts;

/// <summary>
/// One unit of stage work: what an activity hands to a GPU worker. Inputs and outputs are blob references.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Stage">The stage.</param>
/// <param name="Key">Work-item key inside the stage: <c>0</c> for single stages, e.g. <c>view-05</c> or <c>src-03-clip-2</c> for fan-out.</param>
/// <param name="Inputs">Named upstream blobs, names like <c>preprocess/crop</c> or <c>enhance-view/view-05/image</c>.</param>
/// <param name="Settings">The run settings.</param>
/// <param name="Parameters">Work-item parameters, e.g. <c>view=5</c>, <c>source=3</c>, <c>clip=2</c>.</param>
public sealed record StageRequest(
    string RunId,
    PipelineStage Stage,
    string Key,
    IReadOnlyDictionary<string, BlobRef> Inputs,
    PipelineSettings Settings,
    IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>
    /// The identity of the code and weights that run this work item (<see cref="StageImplementation.Id"/>: the stage
    /// handler's implementation version and the fingerprint of the weights its backends read), stamped by the activity
    /// from the worker before it looks for a checkpoint; null until then. Part of <see cref="InputHash"/>, so a
    /// checkpoint made by other code or other weights is never reused.
    /// </summary>
    public string? Implementation { get; init; }

    /// <summary>Where this work item's outputs go: <c>runs/{runId}/stages/{stage}/{key}/</c>.</summary>
    public string OutputPrefix => StorageLayout.StagePrefix(RunId, Stage, Key);

    /// <summary>
    /// The hash that decides whether a checkpoint can be reused: stage, key, implementation (code and weights),
    /// settings, parameters and the content hashes (or names, where unknown) of every input.
    /// </summary>
    public string InputHash()
    {
        var inputs = Inputs
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={kv.Value.Sha256 ?? kv.Value.ToString()}");
        var parameters = Parameters
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={kv.Value}");
        var text = string.Join('\n', [
            $"stage={Stage.Slug()}", $"key={Key}", $"implementation={Implementation ?? "unstamped"}", $"settings={ContentHash.OfJson(Settings)}",
            .. parameters, .. inputs]);
        return ContentHash.OfText(text);
    }

    /// <summary>The idempotency key a worker sees for this request (also its job id): safe in URLs and blob names.</summary>
    public string IdempotencyKey() => JobKey.For(this).Id;

    /// <summary>Parameter value as an integer, or a clear error.</summary>
    public int IntParameter(string name) =>
        Parameters.TryGetValue(name, out var text) && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"Stage {Stage.Slug()} work item {Key} needs integer parameter '{name}'.");

    /// <summary>The named input, or a clear error listing what is present.</summary>
    public BlobRef Input(string name) =>
        Inputs.TryGetValue(name, out var blob)
            ? blob
            : throw new ArgumentException(
                $"Stage {Stage.Slug()} work item {Key} needs input '{name}'; it has: {string.Join(", ", Inputs.Keys)}.");
}
