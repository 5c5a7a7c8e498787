using System.Security.Cryptography;

namespace FaceCraft4D.Models;

/// <summary>Streaming sha256 of files (multi-GB weights are never held in memory).</summary>
public static class FileHashing
{
    /// <summary>Lower-case hex sha256 of the file.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }
}
