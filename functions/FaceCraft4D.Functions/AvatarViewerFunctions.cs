using FaceCraft4D.Api;
using FaceCraft4D.Viewer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;

namespace FaceCraft4D.Functions;

/// <summary>
/// The browser avatar viewer on HTTP triggers: <c>GET /api/viewer/avatars/{id}</c> (the page) and
/// <c>GET /api/viewer/avatars/_viewer/{*path}</c> (its script, styles and the npm modules copied into the build).
/// Functions routes share the host's <c>api</c> prefix, so the page lives under <c>/api/viewer/</c> here and at
/// <c>/avatars/{id}</c> on the local host. <c>/api/viewer/*</c> is the one path App Service authentication lets through
/// unauthenticated (the share-link path), so the page reads its run through the read-only routes under
/// <c>/api/viewer/api/avatars/{id}</c> (status, artifact list, artifacts): the same handlers as <c>/api/avatars/...</c>,
/// which accept a share link (<c>?share=</c>, forwarded by the page) or a signed-in caller who may read the run. Nothing
/// that changes a run is served under this path, and no function key is forwarded anywhere.
/// </summary>
public sealed class AvatarViewerFunctions(IConfiguration configuration, ClientBoundApi api)
{
    /// <summary>Where the page reads its run (the read-only routes below).</summary>
    public const string ViewerApiBase = "/api/viewer/api";

    private const string Prefix = "/api/viewer/avatars";

    private AvatarViewerHandlers Handlers() =>
        new(new AvatarViewerAssets(configuration.GetSection(AvatarViewerOptions.SectionName).Get<AvatarViewerOptions>() ?? new AvatarViewerOptions()));

    /// <summary><c>GET /api/viewer/avatars/{id}</c>.</summary>
    [Function("AvatarViewerPage")]
    public Task<IActionResult> Page(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "viewer/avatars/{id}")] HttpRequest request, string id) =>
        WrittenResponse.After(Handlers().ServePageAsync(request.HttpContext, id, ViewerApiBase, $"{Prefix}/_viewer"));

    /// <summary><c>GET /api/viewer/avatars/_viewer/{*path}</c>.</summary>
    [Function("AvatarViewerAsset")]
    public Task<IActionResult> Asset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "viewer/avatars/_viewer/{*path}")] HttpRequest request, string path) =>
        WrittenResponse.After(Handlers().ServeAssetAsync(request.HttpContext, path));

    /// <summary><c>GET /api/viewer/api/avatars/{id}</c>: the run's status, for a share link or a caller who may read it.</summary>
    [Function("AvatarViewerStatus")]
    public Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "viewer/api/avatars/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).GetStatusAsync(request.HttpContext, id));

    /// <summary><c>GET /api/viewer/api/avatars/{id}/artifacts</c>.</summary>
    [Function("AvatarViewerArtifacts")]
    public Task<IActionResult> Artifacts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "viewer/api/avatars/{id}/artifacts")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).ListArtifactsAsync(request.HttpContext, id));

    /// <summary><c>GET /api/viewer/api/avatars/{id}/artifacts/{*name}</c>.</summary>
    [Function("AvatarViewerArtifact")]
    public Task<IActionResult> Artifact(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "viewer/api/avatars/{id}/artifacts/{*name}")] HttpRequest request, string id, string name,
        [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).GetArtifactAsync(request.HttpContext, id, name));
}
