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
    /// <param name="baseUrl">Scheme, host and path base of the API host.</param>
    /// <param name="runId">The run.</param>
    /// <param name="viewerPath">The viewer path template (<see cref="ApiOptions.ViewerPath"/>).</param>
    public static ManagementUrls For(string baseUrl, string runId, string viewerPath = "/avatars/{id}")
    {
        var origin = baseUrl.TrimEnd('/');
        var root = $"{origin}/api/avatars/{runId}";
        return new ManagementUrls(runId, root, $"{root}/terminate", root, $"{root}/artifacts", origin + viewerPath.Replace("{id}", runId, StringComparison.Ordinal));
    }
}
