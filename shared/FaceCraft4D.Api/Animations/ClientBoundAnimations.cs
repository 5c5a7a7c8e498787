using FaceCraft4D.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FaceCraft4D.Api.Animations;

/// <summary>
/// Builds the animation services around a <see cref="DurableTaskClient"/> that is not in the container (the Functions app
/// receives its client per invocation through the <c>[DurableClient]</c> binding).
/// </summary>
public sealed class ClientBoundAnimations(IServiceProvider services)
{
    /// <summary>The job service on this client.</summary>
    public AnimationService Service(DurableTaskClient client) => ActivatorUtilities.CreateInstance<AnimationService>(services, client);

    /// <summary>The HTTP handlers on this client, with the request's services (its <c>IRunAccess</c>).</summary>
    public AnimationHttpHandlers Handlers(DurableTaskClient client, HttpContext context) =>
        ActivatorUtilities.CreateInstance<AnimationHttpHandlers>(context.RequestServices, Service(client));

    /// <summary>The blob-upload intake on this client.</summary>
    public VideoUploadIntake Intake(DurableTaskClient client) =>
        ActivatorUtilities.CreateInstance<VideoUploadIntake>(services, services.GetRequiredService<IBlobStore>(), Service(client));
}
