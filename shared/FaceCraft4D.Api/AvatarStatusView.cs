using FaceCraft4D.Contracts;

namespace FaceCraft4D.Api;

/// <summary>
/// <c>GET /api/avatars/{id}</c>: the Durable Functions status shape (instanceId, runtimeStatus, customStatus,
/// output, createdTime, lastUpdatedTime) with the run's progress and outputs typed.
/// </summary>
public sealed record AvatarStatusView(
    string InstanceId,
    string Name,
    string RuntimeStatus,
    DateTimeOffset CreatedTime,
    DateTimeOffset LastUpdatedTime,
    RunProgress? CustomStatus,
    RunOutput? Output,
    string? Error,
    ManagementUrls Urls);

/// <summary>The management URLs of a run (Durable Functions naming).</summary>
public sealed record ManagementUrls(
    string Id,
    string StatusQueryGetUri,
    string TerminatePostUri,
    string PurgeHistoryDeleteUri,
    string ArtifactsGetUri,
    string ViewerUri)
{
    /// <summary>URLs of a run under a base address such as <c>http://localhost:7071</c>.</summary>
    public static ManagementUrls For(string baseUrl, string runId)
    {
        var root = $"{baseUrl.TrimEnd('/')}/api/avatars/{runId}";
        return new ManagementUrls(runId, root, $"{root}/terminate", root, $"{root}/artifacts", $"{baseUrl.TrimEnd('/')}/avatars/{runId}");
    }
}
