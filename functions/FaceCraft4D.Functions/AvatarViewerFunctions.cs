using FaceCraft4D.Viewer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace FaceCraft4D.Functions;

/// <summary>
/// The browser avatar viewer on HTTP triggers: <c>GET /api/viewer/avatars/{id}</c> (the page) and
/// <c>GET /api/viewer/avatars/_viewer/{*path}</c> (its script, styles and the npm modules copied into the build).
/// Functions routes share the host's <c>api</c> prefix, so the page lives under <c>/api/viewer/</c> here and at
/// <c>/avatars/{id}</c> on the local host; it calls the same <c>/api/avatars/...</c> routes on both, and forwards a
/// <c>?code=</c> function key it was opened with to those calls. The page and assets are anonymous (no data in them);
/// the API calls keep their function-level authorisation.
/// </summary>
public sealed class AvatarViewerFunctions(IConfiguration configuration)
{
    private const string Prefix = "/api/viewer/avatars";

    private AvatarViewerHandlers Handlers() =>
        new(new AvatarViewerAssets(configuration.GetSection(AvatarViewerOptions.SectionName).Get<AvatarViewerOptions>() ?? new AvatarViewerOptions()));

    /// <summary><c>GET /api/viewer/avatars/{id}</c>.</summary>
    [Function("AvatarViewerPage")]
    public async Task<IActionResult> Page(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "viewer/avatars/{id}")] HttpRequest request, string id)
    {
        await Handlers().ServePageAsync(request.HttpContext, id, "/api", $"{Prefix}/_viewer");
        return new EmptyResult();
    }

    /// <summary><c>GET /api/viewer/avatars/_viewer/{*path}</c>.</summary>
    [Function("AvatarViewerAsset")]
    public async Task<IActionResult> Asset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "viewer/avatars/_viewer/{*path}")] HttpRequest request, string path)
    {
        await Handlers().ServeAssetAsync(request.HttpContext, path);
        return new EmptyResult();
    }
}
