using System.Text.Json.Serialization;

namespace FaceCraft4D.Models.Manifest;

/// <summary>
/// The weights manifest (<c>infra/models/manifest.json</c>, format <c>fc4d-models-manifest/1</c>): every pretrained
/// prior the project can use, where its official files come from, under which licence, their sizes and sha256, and
/// how each one maps into the models folder layout <c>{prior}/{version}/...</c>.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The only format this code reads.</summary>
    public const string CurrentFormat = "fc4d-models-manifest/1";

    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;

    [JsonPropertyName("priors")] public IReadOnlyList<PriorEntry> Priors { get; init; } = [];

    /// <summary>The prior of that name (case-insensitive), or null.</summary>
    public PriorEntry? Find(string name) =>
        Priors.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
