using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Performance;
using FaceCraft4D.Stages.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Stages;

/// <summary>Registers the handlers of the video animation job's stages (TrackVideo, VideoClip) and what they share.</summary>
public static class PerformanceStageServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="TrackVideoStageHandler"/> and <see cref="VideoClipStageHandler"/> as <see cref="IStageHandler"/> singletons,
    /// binding <c>Fc4d:Performance</c> (<see cref="PerformanceStageOptions"/>); the landmark networks load once, on first use.
    /// Needs <c>IVideoReader</c> and <c>IVideoWriter</c> (FFmpeg, registered by the video I/O extension) and the models store
    /// (<c>Fc4d:Models</c>, registered here too when absent) for the run's head.
    /// </summary>
    public static IServiceCollection AddPerformanceStageHandlers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PerformanceStageOptions>().Bind(configuration.GetSection(PerformanceStageOptions.SectionName));
        services.AddOptions<ModelStoreOptions>().Bind(configuration.GetSection(ModelStoreOptions.SectionName));
        services.TryAddSingleton<ModelStore>();
        services.TryAddSingleton<TrainingHeadLoader>();
        services.TryAddSingleton<VideoFaceLandmarkerProvider>();
        services.AddSingleton<IStageHandler, TrackVideoStageHandler>();
        services.AddSingleton<IStageHandler, VideoClipStageHandler>();
        return services;
    }
}
