using FaceCraft4D.Models.Conversion;
using FaceCraft4D.Models.Manifest;

namespace FaceCraft4D.Models.Installation;

/// <summary>
/// The common tail of pull and import: converts checked official files into a staging folder and only when every
/// file of the prior succeeded moves them into <c>{prior}/{version}/</c> and writes the install record. A failure
/// leaves the installed folder exactly as it was.
/// </summary>
public sealed class PriorInstaller(WeightConverter converter)
{
    /// <summary>One checked input: the file to convert, how, and what is known of its origin.</summary>
    public sealed record CheckedInput(ManifestFile File, string Path, string Conversion, string? SourceSha256, long SourceSize, bool TrustedOnFirstUse, string Origin);

    /// <summary>Converts, stages and installs <paramref name="inputs"/>; returns the new record.</summary>
    public async Task<InstallRecord> InstallAsync(ModelsFolder folder, PriorEntry prior, IReadOnlyList<CheckedInput> inputs,
        IProgress<ModelsProgress>? progress, CancellationToken cancellationToken)
    {
        var staging = folder.NewStagingFolder(prior);
        Directory.CreateDirectory(staging);
        try
        {
            var staged = new List<(ManifestFile File, string Staged, InstalledFile Entry)>();
            foreach (var input in inputs)
            {
                progress?.Report(new ModelsProgress(prior.Name, input.File.Install, "convert", Message: input.Conversion));
                var target = Path.Combine(staging, input.File.Install.Replace('/', Path.DirectorySeparatorChar));
                await converter.ConvertAsync(input.Path, target, input.Conversion, cancellationToken).ConfigureAwait(false);
                var sha = await FileHashing.Sha256Async(target, cancellationToken).ConfigureAwait(false);
                staged.Add((input.File, target, new InstalledFile
                {
                    Sha256 = sha,
                    Size = new FileInfo(target).Length,
                    SourceSha256 = input.SourceSha256,
                    SourceSize = input.SourceSize,
                    TrustedOnFirstUse = input.TrustedOnFirstUse,
                    Origin = input.Origin,
                }));
            }

            var record = await InstallRecord.ReadAsync(folder.RecordFile(prior), cancellationToken).ConfigureAwait(false)
                         ?? new InstallRecord { Prior = prior.Name, Version = prior.Version };
            record = record with { InstalledAt = DateTimeOffset.UtcNow };
            foreach (var (file, stagedPath, entry) in staged)
            {
                var destination = folder.InstalledFile(prior, file);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Move(stagedPath, destination, overwrite: true);
                record.Files[file.Install] = entry;
                progress?.Report(new ModelsProgress(prior.Name, file.Install, "install", entry.Size, entry.Size));
            }
            await record.WriteAsync(folder.RecordFile(prior), cancellationToken).ConfigureAwait(false);
            return record;
        }
        finally
        {
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
