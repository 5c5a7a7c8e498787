using System.Text.Json.Serialization;

namespace FaceCraft4D.Models.Manifest;

/// <summary>One prior: a set of files installed together into <see cref="Folder"/> under the models root.</summary>
public sealed record PriorEntry
{
    /// <summary>Short name used on the command line (<c>liveportrait</c>, <c>diffusion</c>, ...).</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>Version folder name (<c>v1</c>, <c>v0.1</c>, ...).</summary>
    [JsonPropertyName("version")] public required string Version { get; init; }

    /// <summary>Folder relative to the models root, <c>{prior}/{version}</c> as the loaders expect it.</summary>
    [JsonPropertyName("folder")] public required string Folder { get; init; }

    [JsonPropertyName("description")] public string Description { get; init; } = string.Empty;

    /// <summary>Which code loads it (configuration key / class), for operators.</summary>
    [JsonPropertyName("usedBy")] public string UsedBy { get; init; } = string.Empty;

    [JsonPropertyName("licence")] public required LicenceInfo Licence { get; init; }

    /// <summary>
    /// <c>download</c> (pull fetches it), <c>import</c> (registration / manual download; only import installs it) or
    /// <c>derive</c> (pull builds it from the installed prior <see cref="DerivedFrom"/>; import takes the finished file too).
    /// </summary>
    [JsonPropertyName("acquisition")] public string Acquisition { get; init; } = AcquisitionKinds.Download;

    /// <summary>For <c>derive</c>: the prior whose installed files are converted.</summary>
    [JsonPropertyName("derivedFrom")] public string? DerivedFrom { get; init; }

    /// <summary>How to obtain the files when they cannot be pulled (shown by list and by pull's refusal).</summary>
    [JsonPropertyName("howToObtain")] public string HowToObtain { get; init; } = string.Empty;

    /// <summary>Which layout check applies after install: <c>liveportrait</c>, <c>diffusers</c> or none.</summary>
    [JsonPropertyName("layout")] public string? Layout { get; init; }

    [JsonPropertyName("files")] public IReadOnlyList<ManifestFile> Files { get; init; } = [];

    /// <summary>True when pull may download it.</summary>
    [JsonIgnore] public bool Downloadable => string.Equals(Acquisition, AcquisitionKinds.Download, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when pull builds it from another installed prior.</summary>
    [JsonIgnore] public bool Derived => string.Equals(Acquisition, AcquisitionKinds.Derive, StringComparison.OrdinalIgnoreCase);

    /// <summary>Sum of the known upstream sizes (null when any is unknown).</summary>
    [JsonIgnore] public long? KnownDownloadSize => Files.All(f => f.Size is not null) ? Files.Sum(f => f.Size!.Value) : null;
}

/// <summary>Values of <see cref="PriorEntry.Acquisition"/>.</summary>
public static class AcquisitionKinds
{
    public const string Download = "download";
    public const string Import = "import";
    public const string Derive = "derive";
}
