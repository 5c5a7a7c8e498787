using FaceCraft4D.Models.Manifest;

namespace FaceCraft4D.Models.Installation;

/// <summary>
/// The models root: installed priors in <c>{prior}/{version}/</c> (what the loaders read), resumable downloads in
/// <c>.downloads/{prior}/{version}/</c> (<c>*.partial</c> while incomplete) and per-install staging in <c>.staging/</c>.
/// </summary>
public sealed class ModelsFolder(string root)
{
    /// <summary>Absolute root.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    public string PriorFolder(PriorEntry prior) => Combine(Root, prior.Folder);

    public string InstalledFile(PriorEntry prior, ManifestFile file) => Combine(PriorFolder(prior), file.Install);

    public string DownloadFolder(PriorEntry prior) => Combine(Root, ".downloads", prior.Folder);

    public string DownloadedFile(PriorEntry prior, ManifestFile file) => Combine(DownloadFolder(prior), file.Source);

    public static string PartialOf(string path) => path + ".partial";

    /// <summary>A fresh staging folder for one install of <paramref name="prior"/>.</summary>
    public string NewStagingFolder(PriorEntry prior) => Combine(Root, ".staging", prior.Folder, Guid.NewGuid().ToString("N"));

    /// <summary>The install record inside the prior folder.</summary>
    public string RecordFile(PriorEntry prior) => Path.Combine(PriorFolder(prior), InstallRecord.FileName);

    private static string Combine(string root, params string[] relative) =>
        Path.GetFullPath(Path.Combine([root, .. relative.Select(r => r.Replace('/', Path.DirectorySeparatorChar))]));
}
