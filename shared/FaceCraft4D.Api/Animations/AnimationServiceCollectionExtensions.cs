using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Api.Animations;

/// <summary>Registers the video animation API (both hosts; <see cref="ApiServiceCollectionExtensions.AddFc4dApi"/> calls it).</summary>
public static class AnimationServiceCollectionExtensions
{
    /// <summary>Options, the worker video screen, the job service, the blob intake and the HTTP handlers.</summary>
    public static IServiceCollection AddFc4dAnimations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AnimationOptions>().Bind(configuration.GetSection(AnimationOptions.SectionName));
        services.AddHttpClient(WorkerVideoScreen.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<Pipeline.Workers.WorkerAuthorizationHandler>(); // the worker accepts only authenticated callers
        services.TryAddSingleton<IVideoScreen, WorkerVideoScreen>();
        services.TryAddSingleton<AnimationService>();
        services.TryAddSingleton<VideoUploadIntake>();
        services.TryAddSingleton<ClientBoundAnimations>();
        services.TryAddScoped<AnimationHttpHandlers>(); // scoped: holds the request's IRunAccess (registered by the host's identity set-up)
        return services;
    }
}
