using FaceCraft4D.Models.Manifest;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Models.Installation;

/// <summary>
/// <c>fc4d models import DIR</c>: installs weights obtained elsewhere. For every manifest file it looks in DIR for
/// the official file (its relative source path, else its file name anywhere below DIR; checked against the manifest's
/// size/sha256 when pinned, then converted) or for the already-converted file (the install path, also under
/// <c>{prior}/{version}/</c>; safetensors headers are checked). Files the operator brings are trusted when the manifest
/// pins nothing (recorded as such). A required file already installed counts as present, so a prior can be completed
/// piece by piece (e.g. the diffusion prior's prompt embeddings).
/// </summary>
public sealed class ModelImporter(PriorInstaller installer, IOptions<ModelsOptions> options)
{
    private readonly ModelsOptions settings = options.Value;

    /// <param name="names">Priors to import; empty = every prior with at least one file in DIR.</param>
    public async Task<IReadOnlyList<PriorOutcome>> ImportAsync(ModelManifest manifest, string directory, IReadOnlyList<string> names,
        IProgress<ModelsProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory)) throw new ModelsException($"Import folder {directory} does not exist.");
        var selected = ModelPuller.Select(manifest, names);
        var folder = new ModelsFolder(settings.Root);
        var index = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith(".partial", StringComparison.Ordinal))
            .ToList();
        var outcomes = new List<PriorOutcome>();
        var failures = new List<string>();
        foreach (var prior in selected)
        {
            var inputs = new List<PriorInstaller.CheckedInput>();
            var missing = new List<string>();
            foreach (var file in prior.Files)
            {
                var found = Locate(directory, index, prior, file);
                if (found is null)
                {
                    if (file.Required && !File.Exists(folder.InstalledFile(prior, file))) missing.Add($"{file.Source} (or converted {file.Install})");
                    continue;
                }
                var (path, converted) = found.Value;
                progress?.Report(new ModelsProgress(prior.Name, Path.GetFileName(path), "check"));
                if (converted)
                {
                    inputs.Add(new PriorInstaller.CheckedInput(file, path, ConversionKinds.Copy, null, new FileInfo(path).Length, false, "import"));
                    continue;
                }
                var sha = await UpstreamCheck.EnsureMatchesAsync(prior, file, path, cancellationToken).ConfigureAwait(false);
                // a derived prior's file brought from elsewhere is the finished file
                var conversion = prior.Derived ? ConversionKinds.Copy : file.Convert;
                inputs.Add(new PriorInstaller.CheckedInput(file, path, conversion, sha, new FileInfo(path).Length, !file.Pinned, "import"));
            }
            if (inputs.Count == 0 && names.Count == 0) continue;
            if (missing.Count > 0 || inputs.Count == 0)
            {
                if (missing.Count == 0) missing.Add("every file");
                failures.Add($"{prior.Name}: {directory} lacks {string.Join(", ", missing)}");
                outcomes.Add(new PriorOutcome(prior.Name, "failed", "missing " + string.Join(", ", missing)));
                continue;
            }
            await installer.InstallAsync(folder, prior, inputs, progress, cancellationToken).ConfigureAwait(false);
            outcomes.Add(new PriorOutcome(prior.Name, "installed", folder.PriorFolder(prior)));
        }
        if (outcomes.Count == 0)
            throw new ModelsException($"{directory} holds no file of the manifest (official names such as {string.Join(", ", manifest.Priors.SelectMany(p => p.Files).Take(3).Select(f => f.SourceFileName))}, or converted ones).");
        if (failures.Count > 0 && outcomes.All(o => o.Result == "failed"))
            throw new ModelsException("Nothing was imported: " + string.Join("; ", failures));
        return outcomes;
    }

    /// <summary>The official file (converted = false) or an already converted one (true).</summary>
    private static (string Path, bool Converted)? Locate(string directory, IReadOnlyList<string> index, PriorEntry prior, ManifestFile file)
    {
        string At(string relative) => Path.GetFullPath(Path.Combine(directory, relative.Replace('/', Path.DirectorySeparatorChar)));
        bool needsConversion = file.Convert != ConversionKinds.Copy;

        if (File.Exists(At(file.Source))) return (At(file.Source), false);
        foreach (var candidate in new[] { At(Path.Combine(prior.Folder, file.Install)), At(file.Install) })
            if (File.Exists(candidate)) return (candidate, needsConversion);
        var byName = index.Where(p => string.Equals(Path.GetFileName(p), file.SourceFileName, StringComparison.Ordinal)).ToList();
        if (byName.Count == 1) return (byName[0], false);
        return null;
    }
}
