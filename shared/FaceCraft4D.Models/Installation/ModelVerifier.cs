using FaceCraft4D.Models.Manifest;
using FaceCraft4D.Priors;
using FaceCraft4D.Priors.Diffusion;
using FaceCraft4D.Priors.LivePortrait;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Models.Installation;

/// <summary>State of one installed file.</summary>
public enum FileState { Ok, Missing, Corrupt, Unverified, OptionalAbsent }

/// <summary>State of one prior.</summary>
public enum PriorState { Installed, NotInstalled, Incomplete, Corrupt, Unverified }

public sealed record FileStatus(string Install, FileState State, long? Size, string Detail);

public sealed record PriorStatus(PriorEntry Prior, PriorState State, IReadOnlyList<FileStatus> Files, IReadOnlyList<string> LayoutProblems, long InstalledBytes)
{
    /// <summary>A problem verify fails on (a prior that is simply not installed is not one unless it was named).</summary>
    public bool IsProblem(bool named) => State is PriorState.Corrupt or PriorState.Incomplete || (named && State == PriorState.NotInstalled);
}

/// <summary>
/// <c>verify</c> and <c>list</c>: compares the installed files with the manifest and the install record. With
/// <c>hash</c> every file's sha256 is computed (verify); without, sizes only (list). Copied upstream files must match
/// the manifest's pin; converted files must match the hash recorded when they were installed. The loaders' own
/// layout checks (<see cref="LivePortraitModelFolder"/>, <see cref="DiffusionModelFolder"/>) run as well.
/// </summary>
public sealed class ModelVerifier(IOptions<ModelsOptions> options)
{
    private readonly ModelsOptions settings = options.Value;

    public async Task<IReadOnlyList<PriorStatus>> CheckAsync(ModelManifest manifest, IReadOnlyList<string> names, bool hash, CancellationToken cancellationToken)
    {
        var folder = new ModelsFolder(settings.Root);
        var result = new List<PriorStatus>();
        foreach (var prior in ModelPuller.Select(manifest, names))
            result.Add(await CheckPriorAsync(folder, prior, hash, cancellationToken).ConfigureAwait(false));
        return result;
    }

    private static async Task<PriorStatus> CheckPriorAsync(ModelsFolder folder, PriorEntry prior, bool hash, CancellationToken cancellationToken)
    {
        var record = await InstallRecord.ReadAsync(folder.RecordFile(prior), cancellationToken).ConfigureAwait(false);
        var files = new List<FileStatus>();
        long bytes = 0;
        foreach (var file in prior.Files)
        {
            var path = folder.InstalledFile(prior, file);
            if (!File.Exists(path))
            {
                files.Add(new FileStatus(file.Install, file.Required ? FileState.Missing : FileState.OptionalAbsent, null, file.Required ? "missing" : "optional, absent"));
                continue;
            }
            long size = new FileInfo(path).Length;
            bytes += size;
            InstalledFile? entry = null;
            record?.Files.TryGetValue(file.Install, out entry);
            long? expectedSize = entry?.Size ?? (file.Convert == ConversionKinds.Copy ? file.Size : null);
            string? expectedSha = entry?.Sha256 ?? (file.Convert == ConversionKinds.Copy ? file.Sha256 : null);
            if (expectedSize is { } es && es != size)
            {
                files.Add(new FileStatus(file.Install, FileState.Corrupt, size, $"size {size}, expected {es}"));
                continue;
            }
            if (file.Convert == ConversionKinds.Copy && file.Sha256 is { } pin && entry is not null && !string.Equals(entry.Sha256, pin, StringComparison.OrdinalIgnoreCase))
            {
                files.Add(new FileStatus(file.Install, FileState.Corrupt, size, $"recorded sha256 {entry.Sha256} is not the manifest's {pin}"));
                continue;
            }
            if (expectedSha is null)
            {
                files.Add(new FileStatus(file.Install, FileState.Unverified, size, "no pinned or recorded sha256 (install it with `fc4d models import` to record one)"));
                continue;
            }
            if (!hash)
            {
                files.Add(new FileStatus(file.Install, FileState.Ok, size, entry?.TrustedOnFirstUse == true ? "size ok (trusted on first use)" : "size ok"));
                continue;
            }
            var sha = await FileHashing.Sha256Async(path, cancellationToken).ConfigureAwait(false);
            files.Add(string.Equals(sha, expectedSha, StringComparison.OrdinalIgnoreCase)
                ? new FileStatus(file.Install, FileState.Ok, size, entry?.TrustedOnFirstUse == true ? "sha256 ok (trusted on first use)" : "sha256 ok")
                : new FileStatus(file.Install, FileState.Corrupt, size, $"sha256 {sha}, expected {expectedSha}"));
        }

        var present = files.Count(f => f.State is not (FileState.Missing or FileState.OptionalAbsent));
        var layout = present == 0 ? [] : LayoutProblems(folder.PriorFolder(prior), prior.Layout);
        var state = present == 0 ? PriorState.NotInstalled
            : files.Any(f => f.State == FileState.Corrupt) ? PriorState.Corrupt
            : files.Any(f => f.State == FileState.Missing) || layout.Count > 0 ? PriorState.Incomplete
            : files.Any(f => f.State == FileState.Unverified) ? PriorState.Unverified
            : PriorState.Installed;
        return new PriorStatus(prior, state, files, layout, bytes);
    }

    private static IReadOnlyList<string> LayoutProblems(string priorFolder, string? layout)
    {
        ModelFolderReport? report = layout switch
        {
            "liveportrait" => LivePortraitModelFolder.Inspect(priorFolder),
            "diffusers" => DiffusionModelFolder.Inspect(priorFolder),
            _ => null,
        };
        return report is null ? [] : report.Missing.Select(m => $"{layout} layout: {m} missing").ToList();
    }
}
