using FaceCraft4D.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace FaceCraft4D.Functions;

/// <summary>
/// The avatar HTTP API (Durable Functions management conventions) on HTTP triggers. Every function hands the
/// request to the shared <see cref="AvatarHttpHandlers"/>, which writes the response itself. No function keys: App
/// Service authentication (Entra ID) signs callers in, <see cref="PlatformPrincipalMiddleware"/> puts them on the
/// request, and the handlers check the caller and the run's owner on every route.
/// </summary>
public sealed class AvatarApiFunctions(ClientBoundApi api)
{
    /// <summary><c>POST /api/avatars</c>.</summary>
    [Function("StartAvatar")]
    public Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "avatars")] HttpRequest request, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).SubmitAsync(request.HttpContext));

    /// <summary><c>GET /api/avatars</c>.</summary>
    [Function("ListAvatars")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars")] HttpRequest request, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).ListAsync(request.HttpContext));

    /// <summary><c>GET /api/avatars/{id}</c>.</summary>
    [Function("GetAvatar")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).GetStatusAsync(request.HttpContext, id));

    /// <summary><c>POST /api/avatars/{id}/terminate</c>.</summary>
    [Function("TerminateAvatar")]
    public Task<IActionResult> Terminate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "avatars/{id}/terminate")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).TerminateAsync(request.HttpContext, id));

    /// <summary><c>POST /api/avatars/{id}/share</c>.</summary>
    [Function("ShareAvatar")]
    public Task<IActionResult> Share(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "avatars/{id}/share")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).ShareAsync(request.HttpContext, id));

    /// <summary><c>DELETE /api/avatars/{id}</c>.</summary>
    [Function("DeleteAvatar")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "avatars/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).DeleteAsync(request.HttpContext, id));

    /// <summary><c>GET /api/avatars/{id}/artifacts</c>.</summary>
    [Function("ListAvatarArtifacts")]
    public Task<IActionResult> ListArtifacts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars/{id}/artifacts")] HttpRequest request, string id, [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).ListArtifactsAsync(request.HttpContext, id));

    /// <summary><c>GET /api/avatars/{id}/artifacts/{*name}</c>.</summary>
    [Function("GetAvatarArtifact")]
    public Task<IActionResult> GetArtifact(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars/{id}/artifacts/{*name}")] HttpRequest request, string id, string name,
        [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(api.Handlers(client).GetArtifactAsync(request.HttpContext, id, name));
}
