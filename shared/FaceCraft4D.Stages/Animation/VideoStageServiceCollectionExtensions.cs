using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Stages.Tracking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Stages.Animation;

/// <summary>Registers the handlers of stages 5-6 (AnimateView, TrackFlame) and what they share.</summary>
public static class VideoStageServiceCollectionExtensions
{
    /// <summary>
    /// Adds the two handlers as <see cref="IStageHandler"/> singletons with the <c>rig</c> and <c>liveportrait</c>
    /// video-prior backends, binding <c>Fc4d:Animation</c> (<see cref="AnimationStageOptions"/>) and <c>Fc4d:Tracking</c>
    /// (<see cref="TrackingStageOptions"/>). Uses the models store and head model of stages 1-4 (registered here too when absent,
    /// bound from <c>Fc4d:Models</c> and <c>Fc4d:ShapePrior</c>). Clips, LivePortrait and the face-api networks load once, on first use.
    /// </summary>
    public static IServiceCollection AddVideoStageHandlers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AnimationStageOptions>().Bind(configuration.GetSection(AnimationStageOptions.SectionName));
        services.AddOptions<TrackingStageOptions>().Bind(configuration.GetSection(TrackingStageOptions.SectionName));
        services.AddOptions<ModelStoreOptions>().Bind(configuration.GetSection(ModelStoreOptions.SectionName));
        services.AddOptions<ShapePriorStageOptions>().Bind(configuration.GetSection(ShapePriorStageOptions.SectionName));

        services.TryAddSingleton<ModelStore>();
        services.TryAddSingleton<HeadModelProvider>();
        services.TryAddSingleton<ClipLibraryProvider>();
        services.TryAddSingleton<LivePortraitProvider>();
        services.TryAddSingleton<FrameLandmarkDetectorProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IVideoPriorBackend, RigVideoBackend>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IVideoPriorBackend, LivePortraitVideoBackend>());
        services.TryAddSingleton<VideoPriorBackends>();

        services.AddSingleton<IStageHandler, AnimateViewStageHandler>();
        services.AddSingleton<IStageHandler, TrackFlameStageHandler>();
        return services;
    }
}
