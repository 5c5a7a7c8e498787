namespace FaceCraft4D.Models;

/// <summary>
/// Configuration section <c>Fc4d:ModelsCli</c> of <c>fc4d models</c>. The models root defaults to
/// <c>Fc4d:Models:LocalPath</c> (the folder the workers read), else <c>models/</c> in the repository.
/// </summary>
public sealed class ModelsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:ModelsCli";

    /// <summary>Environment variable that sets <see cref="Mirror"/> when the option is not given.</summary>
    public const string MirrorEnvironmentVariable = "FC4D_MODELS_MIRROR";

    /// <summary>Models root (layout <c>{prior}/{version}/...</c>).</summary>
    public string Root { get; set; } = "models";

    /// <summary>The manifest file.</summary>
    public string? ManifestPath { get; set; }

    /// <summary>
    /// Base URL that replaces every upstream host: <c>https://huggingface.co/a/b</c> is fetched from
    /// <c>{Mirror}/huggingface.co/a/b</c> (an internal mirror, or a test server).
    /// </summary>
    public string? Mirror { get; set; }

    /// <summary>Keep verified downloads of converted files under <c>.downloads/</c> after installing.</summary>
    public bool KeepDownloads { get; set; }
}
