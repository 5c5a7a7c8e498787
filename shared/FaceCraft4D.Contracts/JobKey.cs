namespace FaceCraft4D.Contracts;

/// <summary>
/// The identity of one unit of stage work at the workers: run, stage, work-item key and the first 16 hex digits
/// of the input hash. Its text form <c>{runId}.{stage}.{key}.{hash16}</c> is the idempotency key and the job id.
/// </summary>
public sealed record JobKey(string RunId, PipelineStage Stage, string Key, string InputHashPrefix)
{
    /// <summary>The text form (idempotency key, job id).</summary>
    public string Id => $"{RunId}.{Stage.Slug()}.{Key}.{InputHashPrefix}";

    /// <summary>The key of a request.</summary>
    public static JobKey For(StageRequest request) => new(request.RunId, request.Stage, request.Key, request.InputHash()[..16]);

    /// <summary>Parses a job id; null when it is not one (so it can never name a blob outside its run).</summary>
    public static JobKey? TryParse(string? id)
    {
        var parts = id?.Split('.') ?? [];
        return parts.Length == 4
               && RunIdentity.IsValid(parts[0])
               && PipelineStages.TryParseSlug(parts[1], out var stage)
               && parts[2].Length is > 0 and <= 64 && parts[2].All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
               && parts[3].Length == 16 && parts[3].All(char.IsAsciiHexDigitLower)
            ? new JobKey(parts[0], stage, parts[2], parts[3])
            : null;
    }

    /// <inheritdoc />
    public override string ToString() => Id;
}
