namespace FaceCraft4D.Stages.Models;

/// <summary>
/// Configuration section <c>Fc4d:Models</c>: where operator-supplied weights live, in the layout
/// <c>{prior}/{version}/{file}</c> (docs/architecture.md). A local folder with the same layout is looked at first.
/// </summary>
public sealed class ModelStoreOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:Models";

    /// <summary>Blob container of the weights.</summary>
    public string Container { get; set; } = Contracts.StorageLayout.ModelsContainer;

    /// <summary>Optional local folder with the same layout (e.g. the container's <c>/models</c> mount).</summary>
    public string? LocalPath { get; set; }
}
