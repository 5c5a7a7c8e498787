using System.Security.Cryptography;

namespace FaceCraft4D.LocalHost;

/// <summary>
/// The local host's share-link signing key: 32 random bytes generated once and kept (base64, owner-only file mode) in
/// <c>.fc4d/share-link.key</c>, so links stay valid across restarts and deleting the file revokes every link.
/// </summary>
public static class LocalShareKey
{
    /// <summary>File name under the data directory.</summary>
    public const string FileName = "share-link.key";

    /// <summary>The key (base64) from <paramref name="dataDirectory"/>, created there when absent.</summary>
    public static string LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(key);
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllText(path).Trim(); // another process created it first
        }

        return key;
    }
}
