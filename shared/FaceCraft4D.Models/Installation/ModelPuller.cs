using FaceCraft4D.Models.Download;
using FaceCraft4D.Models.Licensing;
using FaceCraft4D.Models.Manifest;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Models.Installation;

/// <summary>
/// <c>fc4d models pull</c>: checks licences and pins for every selected prior first, then per prior downloads each
/// official file (resumable), checks its size and sha256, converts and installs. Named priors are all-or-nothing: an
/// unaccepted licence or an unpinned file (without trust on first use) refuses the pull before any download. Without
/// names (everything downloadable) such priors are skipped with the reason and the others are pulled.
/// </summary>
public sealed class ModelPuller(ModelDownloader downloader, PriorInstaller installer, IOptions<ModelsOptions> options)
{
    private readonly ModelsOptions settings = options.Value;

    public async Task<IReadOnlyList<PriorOutcome>> PullAsync(ModelManifest manifest, PullRequest request,
        IProgress<ModelsProgress>? progress, CancellationToken cancellationToken)
    {
        var selected = Select(manifest, request.Names);
        var refusedImportOnly = selected.Where(p => !p.Downloadable && !p.Derived).ToList();
        var derived = selected.Where(p => p.Derived).ToList();
        if (request.Names.Count > 0 && refusedImportOnly.Count > 0)
            throw new ModelsException(string.Join(" ", refusedImportOnly.Select(p =>
                $"{p.Name} cannot be downloaded ({p.Licence.Id}): {p.HowToObtain} Then run: fc4d models import DIR.")));
        var outcomes = refusedImportOnly.Select(p => new PriorOutcome(p.Name, "skipped", "import only: " + p.HowToObtain)).ToList();
        var toPull = selected.Where(p => p.Downloadable).ToList();

        bool everything = request.Names.Count == 0;
        if (!request.TrustOnFirstUse)
        {
            var unpinnedPriors = toPull.Where(p => Downloads(p).Any(f => !f.Pinned)).ToList();
            var unpinned = unpinnedPriors.SelectMany(p => Downloads(p).Where(f => !f.Pinned).Select(f => $"{p.Name}/{f.Source}")).ToList();
            if (unpinned.Count > 0 && !everything)
                throw new ModelsException(
                    $"The manifest pins no sha256 for {string.Join(", ", unpinned)}; nothing was downloaded. Pull them with " +
                    "--trust-on-first-use (the hash found is recorded and printed, pin it in the manifest), or import files you checked yourself.");
            // Pulling everything: what cannot be checked is skipped, with the reason, and the rest is pulled.
            foreach (var p in unpinnedPriors)
            {
                outcomes.Add(new PriorOutcome(p.Name, "skipped", "unpinned files, needs --trust-on-first-use: " + string.Join(", ", Downloads(p).Where(f => !f.Pinned).Select(f => f.Source))));
                toPull.Remove(p);
            }
        }
        var gate = new LicenceGate(request.AcceptedLicences, request.Prompt);
        if (!everything) await gate.EnsureAcceptedAsync([.. toPull, .. derived], cancellationToken).ConfigureAwait(false);
        else
            foreach (var p in toPull.ToList())
                try
                {
                    await gate.EnsureAcceptedAsync([p], cancellationToken).ConfigureAwait(false);
                }
                catch (LicenceNotAcceptedException e)
                {
                    outcomes.Add(new PriorOutcome(p.Name, "skipped", e.Message));
                    toPull.Remove(p);
                }

        var folder = new ModelsFolder(settings.Root);
        foreach (var prior in toPull)
        {
            if (!request.Force && await IsInstalledAsync(folder, prior, Downloads(prior), cancellationToken).ConfigureAwait(false))
            {
                progress?.Report(new ModelsProgress(prior.Name, "", "skip", Message: "already installed"));
                outcomes.Add(new PriorOutcome(prior.Name, "up to date", folder.PriorFolder(prior)));
                continue;
            }
            var inputs = new List<PriorInstaller.CheckedInput>();
            var tofu = new List<string>();
            foreach (var file in Downloads(prior))
            {
                var path = folder.DownloadedFile(prior, file);
                var url = MirrorUrl.Resolve(file.Url!, settings.Mirror);
                if (!File.Exists(path))
                    await downloader.DownloadAsync(url, path, file.Size,
                        (bytes, total, attempt, resumed) => progress?.Report(new ModelsProgress(prior.Name, file.Source, "download", bytes, total, resumed)),
                        cancellationToken).ConfigureAwait(false);
                progress?.Report(new ModelsProgress(prior.Name, file.Source, "check"));
                string sha;
                try
                {
                    sha = await UpstreamCheck.EnsureMatchesAsync(prior, file, path, cancellationToken).ConfigureAwait(false);
                }
                catch (ChecksumMismatchException)
                {
                    File.Delete(path); // a wrong file cannot be resumed into a right one
                    throw;
                }
                if (!file.Pinned) tofu.Add($"{file.Source} sha256 {sha}");
                inputs.Add(new PriorInstaller.CheckedInput(file, path, file.Convert, sha, new FileInfo(path).Length, !file.Pinned, "pull"));
            }
            await installer.InstallAsync(folder, prior, inputs, progress, cancellationToken).ConfigureAwait(false);
            if (!settings.KeepDownloads)
                foreach (var input in inputs) File.Delete(input.Path);
            outcomes.Add(new PriorOutcome(prior.Name, "installed", tofu.Count == 0
                ? folder.PriorFolder(prior)
                : $"{folder.PriorFolder(prior)}; trusted on first use (pin in the manifest): {string.Join("; ", tofu)}"));
        }
        foreach (var prior in derived)
            outcomes.Add(await DeriveAsync(manifest, folder, prior, request, everything, progress, cancellationToken).ConfigureAwait(false));
        return outcomes;
    }

    /// <summary>Builds a derived prior from its installed base prior (pulled in the same run when it was selected).</summary>
    private async Task<PriorOutcome> DeriveAsync(ModelManifest manifest, ModelsFolder folder, PriorEntry prior, PullRequest request, bool everything,
        IProgress<ModelsProgress>? progress, CancellationToken cancellationToken)
    {
        var source = manifest.Find(prior.DerivedFrom!)!;
        if (!await IsInstalledAsync(folder, source, Downloads(source), cancellationToken).ConfigureAwait(false))
        {
            var message = $"{prior.Name} is built from {source.Name}, which is not installed: pull or import {source.Name} first.";
            if (everything) return new PriorOutcome(prior.Name, "skipped", message);
            throw new ModelsException(message);
        }
        if (!request.Force && await IsInstalledAsync(folder, prior, prior.Files, cancellationToken).ConfigureAwait(false))
            return new PriorOutcome(prior.Name, "up to date", folder.PriorFolder(prior));
        var inputs = prior.Files
            .Select(f => new PriorInstaller.CheckedInput(f, folder.PriorFolder(source), f.Convert, null, 0, false, "derive"))
            .ToList();
        await installer.InstallAsync(folder, prior, inputs, progress, cancellationToken).ConfigureAwait(false);
        return new PriorOutcome(prior.Name, "installed", $"{folder.PriorFolder(prior)} (from {source.Name})");
    }

    /// <summary>The files pull fetches (optional files without a URL are import-only).</summary>
    private static IEnumerable<ManifestFile> Downloads(PriorEntry prior) => prior.Files.Where(f => f.Url is not null);

    internal static List<PriorEntry> Select(ModelManifest manifest, IReadOnlyList<string> names)
    {
        if (names.Count == 0) return manifest.Priors.ToList();
        var unknown = names.Where(n => manifest.Find(n) is null).ToList();
        if (unknown.Count > 0)
            throw new ModelsException($"Unknown prior {string.Join(", ", unknown)}; the manifest has {string.Join(", ", manifest.Priors.Select(p => p.Name))}.");
        return names.Select(n => manifest.Find(n)!).Distinct().ToList();
    }

    /// <summary>Every file recorded with the size found on disk (cheap; verify hashes).</summary>
    private static async Task<bool> IsInstalledAsync(ModelsFolder folder, PriorEntry prior, IEnumerable<ManifestFile> files, CancellationToken cancellationToken)
    {
        var record = await InstallRecord.ReadAsync(folder.RecordFile(prior), cancellationToken).ConfigureAwait(false);
        if (record is null) return false;
        foreach (var file in files)
        {
            var path = folder.InstalledFile(prior, file);
            if (!record.Files.TryGetValue(file.Install, out var entry) || !File.Exists(path) || new FileInfo(path).Length != entry.Size) return false;
            if (file.Pinned && entry.SourceSha256 is { } s && !string.Equals(s, file.Sha256, StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }
}
