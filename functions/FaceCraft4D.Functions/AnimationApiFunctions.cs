using FaceCraft4D.Api.Animations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace FaceCraft4D.Functions;

/// <summary>The video animation routes on HTTP triggers; the shared <see cref="AnimationHttpHandlers"/> write the responses.</summary>
public sealed class AnimationApiFunctions(ClientBoundAnimations animations)
{
    /// <summary><c>POST /api/avatars/{id}/animations</c>.</summary>
    [Function("StartAnimation")]
    public Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "avatars/{id}/animations")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(Handlers(client, request).SubmitAsync(request.HttpContext, id));

    /// <summary><c>GET /api/avatars/{id}/animations</c>.</summary>
    [Function("ListAnimations")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars/{id}/animations")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(Handlers(client, request).ListAsync(request.HttpContext, id));

    /// <summary><c>GET /api/avatars/{id}/animations/{animationId}</c>.</summary>
    [Function("GetAnimation")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars/{id}/animations/{animationId}")] HttpRequest request, string id, string animationId,
        [DurableClient] DurableTaskClient client) =>
        WrittenResponse.After(Handlers(client, request).GetStatusAsync(request.HttpContext, id, animationId));

    private AnimationHttpHandlers Handlers(DurableTaskClient client, HttpRequest request) => animations.Handlers(client, request.HttpContext);
}
