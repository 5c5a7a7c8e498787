using FaceCraft4D.Models.Manifest;

namespace FaceCraft4D.Models.Installation;

/// <summary>Checks an official file against the manifest's size and sha256 (or published sha256 prefix).</summary>
public static class UpstreamCheck
{
    /// <summary>The file's sha256; throws <see cref="ChecksumMismatchException"/> when size or hash differ.</summary>
    public static async Task<string> EnsureMatchesAsync(PriorEntry prior, ManifestFile file, string path, CancellationToken cancellationToken)
    {
        long size = new FileInfo(path).Length;
        if (file.Size is { } expected && expected != size)
            throw new ChecksumMismatchException($"{prior.Name}/{file.Source}: size {size} bytes, the manifest says {expected}; the file was not installed.");
        var sha = await FileHashing.Sha256Async(path, cancellationToken).ConfigureAwait(false);
        if (file.Sha256 is { } pinned && !string.Equals(pinned, sha, StringComparison.OrdinalIgnoreCase))
            throw new ChecksumMismatchException($"{prior.Name}/{file.Source}: sha256 {sha}, the manifest pins {pinned}; the file was not installed.");
        if (file.Sha256 is null && file.Sha256Prefix is { } prefix && !sha.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            throw new ChecksumMismatchException($"{prior.Name}/{file.Source}: sha256 {sha} does not start with the published prefix {prefix}; the file was not installed.");
        return sha;
    }
}
