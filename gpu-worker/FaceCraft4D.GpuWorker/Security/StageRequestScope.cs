using FaceCraft4D.Contracts;

namespace FaceCraft4D.GpuWorker.Security;

/// <summary>
/// What one stage request may touch in storage. Reads: its own run's folders (<c>runs/{runId}/</c> and the run's
/// published artifacts <c>avatars/{runId}/</c>) and the operator's weights (<c>models/</c>). Writes: its own work item's
/// folder <c>runs/{runId}/stages/{stage}/{key}/</c> and its own run's <c>avatars/{runId}/</c> (export, evaluate and the
/// contact sheets publish there). Names with dot segments, backslashes or empty segments are never in scope (a URI
/// would collapse <c>a/../b</c> into another run's folder).
/// </summary>
public sealed class StageRequestScope
{
    private readonly string runPrefix;
    private readonly string outputPrefix;

    private StageRequestScope(StageRequest request)
    {
        runPrefix = request.RunId + "/";
        outputPrefix = request.OutputPrefix;
    }

    /// <summary>The scope of a request that <see cref="Violation"/> accepted.</summary>
    public static StageRequestScope Of(StageRequest request) =>
        Violation(request) is { } violation ? throw new ArgumentException(violation, nameof(request)) : new StageRequestScope(request);

    /// <summary>
    /// Why the worker must refuse the request before reading or writing anything (run id, work-item key and input
    /// names checked with the job-key rule of <see cref="JobKey.TryParse"/>), or null when it may run.
    /// </summary>
    public static string? Violation(StageRequest request)
    {
        if (!RunIdentity.IsValid(request.RunId))
        {
            return $"'{request.RunId}' is not a run id.";
        }

        if (JobKey.TryParse(request.IdempotencyKey()) is null)
        {
            return $"Work-item key '{request.Key}' is invalid: 1-64 characters of a-z, 0-9 and '-'.";
        }

        var scope = new StageRequestScope(request);
        foreach (var (name, blob) in request.Inputs ?? new Dictionary<string, BlobRef>())
        {
            if (blob is null || !scope.MayRead(blob))
            {
                return $"Input '{name}' ({blob}) is outside what run {request.RunId} may read " +
                       $"(runs/{request.RunId}/, avatars/{request.RunId}/ or models/).";
            }
        }

        return null;
    }

    /// <summary>True when the request may read the blob (or list under it, for a prefix).</summary>
    public bool MayRead(BlobRef blob) => IsWellFormed(blob.Name) && blob.Container switch
    {
        StorageLayout.RunsContainer or StorageLayout.AvatarsContainer => blob.Name.StartsWith(runPrefix, StringComparison.Ordinal),
        StorageLayout.ModelsContainer => true,
        _ => false,
    };

    /// <summary>True when the request may write (or delete) the blob.</summary>
    public bool MayWrite(BlobRef blob) => IsWellFormed(blob.Name) && blob.Container switch
    {
        StorageLayout.RunsContainer => blob.Name.StartsWith(outputPrefix, StringComparison.Ordinal),
        StorageLayout.AvatarsContainer => blob.Name.StartsWith(runPrefix, StringComparison.Ordinal),
        _ => false,
    };

    private static bool IsWellFormed(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 1024 || name[0] == '/' || name.Contains('\\') || name.Any(char.IsControl))
        {
            return false;
        }

        var segments = name.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            // A trailing empty segment is a folder prefix ("{runId}/stages/"); any other empty or dot segment is not allowed.
            if ((segments[i].Length == 0 && i < segments.Length - 1) || segments[i] is "." or "..")
            {
                return false;
            }
        }

        return true;
    }
}
