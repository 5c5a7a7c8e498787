using System.Text.Json.Nodes;

namespace FaceCraft4D.Testing;

/// <summary>
/// The run that fits the tiny official-layout weights (<c>TinyModelFolder</c>): 48-px renders, few iterations, and the
/// three weighted backends, with the backend each weighted stage must then name.
/// </summary>
public static class TinyWeightedRun
{
    /// <summary>The run settings, as the API takes them.</summary>
    public const string SettingsJson =
        "{\"renderSize\":48,\"viewCount\":4,\"sourceViewCount\":2,\"clipCount\":1,\"framesPerClip\":3," +
        "\"staticIterations\":20,\"coinIterations\":10,\"checkpointEvery\":10," +
        "\"trackingFirstFrameIterations\":10,\"trackingPerFrameIterations\":3,\"trackingGlobalEpochs\":1," +
        "\"diffusionSteps\":25,\"diffusionStrength\":0.4," +
        "\"shapePriorBackend\":\"panohead\",\"imagePriorBackend\":\"diffusion\",\"videoPriorBackend\":\"liveportrait\"}";

    /// <summary>Weighted stage (slug) → the backend its output, status and manifest name.</summary>
    public static IReadOnlyDictionary<string, string> ExpectedBackends { get; } = new Dictionary<string, string>
    {
        ["shape-prior"] = "panohead",
        ["enhance-back-view"] = "diffusion:cosmicman/v1",
        ["enhance-view"] = "diffusion:cosmicman/v1",
        ["animate-view"] = "liveportrait:liveportrait/v1",
    };

    /// <summary>The same settings as <c>fc4d-local create</c> arguments: <c>--set name=value</c> for each.</summary>
    public static IReadOnlyList<string> SetArguments() =>
        JsonNode.Parse(SettingsJson)!.AsObject()
            .SelectMany(kv => new[] { "--set", $"{kv.Key}={(kv.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : kv.Value!.ToJsonString())}" })
            .ToList();
}
