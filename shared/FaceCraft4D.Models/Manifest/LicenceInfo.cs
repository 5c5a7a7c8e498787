using System.Text.Json.Serialization;

namespace FaceCraft4D.Models.Manifest;

/// <summary>The licence of a prior's weights. Nothing of these ships with the project.</summary>
public sealed record LicenceInfo
{
    /// <summary>SPDX identifier, or <c>LicenseRef-...</c> for custom terms.</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }

    [JsonPropertyName("url")] public required string Url { get; init; }

    /// <summary>True when pull needs <c>--accept-licence NAME</c> (or an interactive yes) before downloading.</summary>
    [JsonPropertyName("acceptanceRequired")] public bool AcceptanceRequired { get; init; }

    [JsonPropertyName("notes")] public string Notes { get; init; } = string.Empty;
}
