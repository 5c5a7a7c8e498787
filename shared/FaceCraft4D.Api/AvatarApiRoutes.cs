using FaceCraft4D.Api.Animations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FaceCraft4D.Api;

/// <summary>The avatar API routes for minimal-API hosts (the local host); the Functions app binds the same handlers to HTTP triggers.</summary>
public static class AvatarApiRoutes
{
    /// <summary>Maps <c>/api/avatars</c> (and sub-routes) and <c>/api/evaluations</c> to the shared handlers.</summary>
    public static IEndpointRouteBuilder MapAvatarApi(this IEndpointRouteBuilder app)
    {
        AvatarHttpHandlers Handlers(HttpContext c) => c.RequestServices.GetRequiredService<AvatarHttpHandlers>();
        app.MapPost("/api/avatars", (HttpContext c) => Handlers(c).SubmitAsync(c)).DisableAntiforgery();
        app.MapGet("/api/avatars", (HttpContext c) => Handlers(c).ListAsync(c));
        app.MapGet("/api/avatars/{id}", (HttpContext c, string id) => Handlers(c).GetStatusAsync(c, id));
        app.MapPost("/api/avatars/{id}/terminate", (HttpContext c, string id) => Handlers(c).TerminateAsync(c, id));
        app.MapPost("/api/avatars/{id}/share", (HttpContext c, string id) => Handlers(c).ShareAsync(c, id));
        app.MapDelete("/api/avatars/{id}", (HttpContext c, string id) => Handlers(c).DeleteAsync(c, id));
        app.MapGet("/api/avatars/{id}/artifacts", (HttpContext c, string id) => Handlers(c).ListArtifactsAsync(c, id));
        app.MapGet("/api/avatars/{id}/artifacts/{**name}", (HttpContext c, string id, string name) => Handlers(c).GetArtifactAsync(c, id, name));
        AnimationHttpHandlers Animations(HttpContext c) => c.RequestServices.GetRequiredService<AnimationHttpHandlers>();
        app.MapPost("/api/avatars/{id}/animations", (HttpContext c, string id) => Animations(c).SubmitAsync(c, id)).DisableAntiforgery();
        app.MapGet("/api/avatars/{id}/animations", (HttpContext c, string id) => Animations(c).ListAsync(c, id));
        app.MapGet("/api/avatars/{id}/animations/{animationId}", (HttpContext c, string id, string animationId) => Animations(c).GetStatusAsync(c, id, animationId));
        EvaluationHttpHandlers Evaluations(HttpContext c) => c.RequestServices.GetRequiredService<EvaluationHttpHandlers>();
        app.MapPost("/api/evaluations", (HttpContext c) => Evaluations(c).StartAsync(c)).DisableAntiforgery();
        app.MapGet("/api/evaluations/{id}", (HttpContext c, string id) => Evaluations(c).GetAsync(c, id));
        return app;
    }
}
