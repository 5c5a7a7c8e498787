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
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "avatars/{id}/animations")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client)
    {
        await animations.Handlers(client, request.HttpContext).SubmitAsync(request.HttpContext, id);
        return new EmptyResult();
    }

    /// <summary><c>GET /api/avatars/{id}/animations</c>.</summary>
    [Function("ListAnimations")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars/{id}/animations")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client)
    {
        await animations.Handlers(client, request.HttpContext).ListAsync(request.HttpContext, id);
        return new EmptyResult();
    }

    /// <summary><c>GET /api/avatars/{id}/animations/{animationId}</c>.</summary>
    [Function("GetAnimation")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "avatars/{id}/animations/{animationId}")] HttpRequest request, string id, string animationId,
        [DurableClient] DurableTaskClient client)
    {
        await animations.Handlers(client, request.HttpContext).GetStatusAsync(request.HttpContext, id, animationId);
        return new EmptyResult();
    }
}
