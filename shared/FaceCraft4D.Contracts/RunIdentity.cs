namespace FaceCraft4D.Contracts;

/// <summary>
/// Derives the run id from the image content hash, the settings hash, the owner and the pipeline implementation
/// version, so the same photo with the same settings from the same owner maps to the same run (and is never run twice)
/// while two owners never share one, and a pipeline whose stage graph or run layout changed starts a fresh run instead
/// of reusing checkpoints made by the old one.
/// </summary>
public static class RunIdentity
{
    /// <summary>Prefix of every run id; ids are lower-case, blob- and instance-id-safe.</summary>
    public const string Prefix = "fc4d-";

    /// <summary>The owner of runs started on the local stack without authentication (CLI, uploads folder, loopback).</summary>
    public const string LocalOwner = "local";

    /// <summary>
    /// Version of the pipeline as a whole (stage graph, work-item keys, run layout). Bump it when a change makes every
    /// stored run unfit for reuse; a change inside one stage bumps that stage handler's implementation version instead.
    /// 3: TrainStatic is submitted before the animate-view fan-out, and Evaluate reads TrainCoin's avatar and runs beside
    /// Export (the orchestrator reads the version a run started under from <see cref="RunPolicy.PipelineVersion"/>).
    /// </summary>
    public const int PipelineVersion = 3;

    /// <summary>Hex digits of the image hash in an id.</summary>
    public const int ImageHexLength = 16;

    /// <summary>Hex digits of the scope hash (settings, owner, pipeline version) in an id: 64 bits, so ids of distinct settings never collide in practice.</summary>
    public const int ScopeHexLength = 16;

    /// <summary>Length of an id: <c>fc4d-</c> + 16 hex + <c>-</c> + 16 hex.</summary>
    public const int Length = 5 + ImageHexLength + 1 + ScopeHexLength;

    /// <summary>Hex digits of the scope hash in ids made before <see cref="PipelineVersion"/> existed (30-character ids); still valid names of stored runs.</summary>
    public const int LegacyScopeHexLength = 8;

    /// <summary><c>fc4d-{16 hex of image sha256}-{16 hex of sha256(settings, owner, pipeline version)}</c>.</summary>
    public static string For(string imageSha256, PipelineSettings settings, string owner = LocalOwner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentException.ThrowIfNullOrWhiteSpace(imageSha256);
        if (imageSha256.Length < ImageHexLength || imageSha256.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            throw new ArgumentException("Expected a hex SHA-256.", nameof(imageSha256));
        }

        var scope = ContentHash.OfText($"{ContentHash.OfJson(settings)}\nowner={owner}\npipeline={PipelineVersion}");
        return $"{Prefix}{imageSha256[..ImageHexLength].ToLowerInvariant()}-{scope[..ScopeHexLength]}";
    }

    /// <summary>
    /// True when the text has the shape of a run id (guards blob paths built from user input): the current 38-character
    /// shape, or the 30-character shape of runs stored before the scope hash was widened (they stay readable and purgeable).
    /// </summary>
    public static bool IsValid(string? runId) =>
        runId is { Length: Length or Length - ScopeHexLength + LegacyScopeHexLength }
        && runId.StartsWith(Prefix, StringComparison.Ordinal)
        && runId[Prefix.Length + ImageHexLength] == '-'
        && !runId.AsSpan(Prefix.Length, ImageHexLength).ContainsAnyExcept("0123456789abcdef")
        && !runId.AsSpan(Prefix.Length + ImageHexLength + 1).ContainsAnyExcept("0123456789abcdef");
}
