namespace FaceCraft4D.Contracts;

/// <summary>
/// Derives the run id from the image content hash, the settings hash and the owner, so the same photo with the
/// same settings from the same owner maps to the same run (and is never run twice), while two owners never share one.
/// </summary>
public static class RunIdentity
{
    /// <summary>Prefix of every run id; ids are lower-case, blob- and instance-id-safe.</summary>
    public const string Prefix = "fc4d-";

    /// <summary>The owner of runs started on the local stack without authentication (CLI, uploads folder, loopback).</summary>
    public const string LocalOwner = "local";

    /// <summary><c>fc4d-{16 hex of image sha256}-{8 hex of sha256(settings, owner)}</c>.</summary>
    public static string For(string imageSha256, PipelineSettings settings, string owner = LocalOwner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentException.ThrowIfNullOrWhiteSpace(imageSha256);
        if (imageSha256.Length < 16)
        {
            throw new ArgumentException("Expected a hex SHA-256.", nameof(imageSha256));
        }

        // The local owner keeps the historical settings-only hash, so runs made before owners existed are still found.
        var scope = owner == LocalOwner ? ContentHash.OfJson(settings) : ContentHash.OfText($"{ContentHash.OfJson(settings)}\nowner={owner}");
        return $"{Prefix}{imageSha256[..16].ToLowerInvariant()}-{scope[..8]}";
    }

    /// <summary>True when the text has the shape of a run id (guards blob paths built from user input).</summary>
    public static bool IsValid(string? runId) =>
        runId is { Length: 30 }
        && runId.StartsWith(Prefix, StringComparison.Ordinal)
        && runId[21] == '-'
        && runId.AsSpan(5, 16).ContainsAnyExcept("0123456789abcdef") == false
        && runId.AsSpan(22, 8).ContainsAnyExcept("0123456789abcdef") == false;
}
