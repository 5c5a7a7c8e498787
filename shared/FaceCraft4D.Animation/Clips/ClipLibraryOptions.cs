namespace FaceCraft4D.Animation.Clips;

/// <summary>Where driving clips come from (configuration section <c>Fc4d:Animation:Clips</c>).</summary>
public sealed class ClipLibraryOptions
{
    /// <summary>Use the eight clips bundled with the project (infra/clips, embedded in the assembly).</summary>
    public bool IncludeBundled { get; set; } = true;

    /// <summary>
    /// Optional folder of extra <c>*.json</c> clips (e.g. extracted from real videos). They follow the bundled clips,
    /// in file-name order; a clip with a bundled clip's name replaces it in place.
    /// </summary>
    public string? Folder { get; set; }
}
