namespace FaceCraft4D.Contracts;

/// <summary>
/// Derives the run id from the image content hash and the settings hash, so the same photo with the
/// same settings maps to the same run (and is never run twice).
/// </summary>
public static class RunIdentity
{
    /// <summary>Prefix of every run id; ids are lower-case, blob- and instance-id-safe.</summary>
    public const string Prefix = "fc4d-";

    /// <summary><c>fc4d-{16 hex of image sha256}-{8 hex of settings sha256}</c>.</summary>
    public static string For(string imageSha256, PipelineSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imageSha256);
        if (imageSha256.Length < 16)
        {
            throw new ArgumentException("Expected a hex SHA-256.", nameof(imageSha256));
        }

        return $"{Prefix}{imageSha256[..16].ToLowerInvariant()}-{ContentHash.OfJson(settings)[..8]}";
    }

    /// <summary>True when the text has the shape of a run id (guards blob paths built from user input).</summary>
    public static bool IsValid(string? runId) =>
        runId is { Length: 30 }
        && runId.StartsWith(Prefix, StringComparison.Ordinal)
        && runId[21] == '-'
        && runId.AsSpan(5, 16).ContainsAnyExcept("0123456789abcdef") == false
        && runId.AsSpan(22, 8).ContainsAnyExcept("0123456789abcdef") == false;
}
