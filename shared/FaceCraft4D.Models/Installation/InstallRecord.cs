using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceCraft4D.Models.Installation;

/// <summary>
/// <c>{prior}/{version}/.fc4d-install.json</c>: what was installed and the sha256 of every installed file (converted
/// files have no upstream hash, so verify compares them with this record), plus the upstream hash each came from and
/// whether that was trusted on first use.
/// </summary>
public sealed record InstallRecord
{
    public const string FileName = ".fc4d-install.json";

    [JsonPropertyName("prior")] public required string Prior { get; init; }
    [JsonPropertyName("version")] public required string Version { get; init; }
    [JsonPropertyName("installedAt")] public DateTimeOffset InstalledAt { get; init; }
    [JsonPropertyName("files")] public Dictionary<string, InstalledFile> Files { get; init; } = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The record in <paramref name="path"/>, or null when absent or unreadable.</summary>
    public static async Task<InstallRecord?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return null;
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<InstallRecord>(stream, Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the record (to a temporary name first, so a crash leaves the old one).</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 12, useAsync: true))
            await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>One installed file.</summary>
public sealed record InstalledFile
{
    [JsonPropertyName("sha256")] public required string Sha256 { get; init; }
    [JsonPropertyName("size")] public long Size { get; init; }
    [JsonPropertyName("sourceSha256")] public string? SourceSha256 { get; init; }
    [JsonPropertyName("sourceSize")] public long SourceSize { get; init; }
    /// <summary>The upstream file was not pinned in the manifest; its hash was recorded as found.</summary>
    [JsonPropertyName("trustedOnFirstUse")] public bool TrustedOnFirstUse { get; init; }
    /// <summary><c>pull</c> or <c>import</c>.</summary>
    [JsonPropertyName("origin")] public string Origin { get; init; } = "pull";
}
