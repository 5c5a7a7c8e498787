using FaceCraft4D.Stages.Export;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Stages;

/// <summary>Registers the handlers of stages 7-9 (TrainStatic, TrainCoin, Export) and what they share.</summary>
public static class TrainingStageServiceCollectionExtensions
{
    /// <summary>
    /// Adds the three handlers as <see cref="IStageHandler"/> singletons with options bound from <c>Fc4d:Training</c>
    /// (<see cref="TrainingStageOptions"/>), <c>Fc4d:Export</c> (<see cref="ExportStageOptions"/>) and <c>Fc4d:Models</c>;
    /// the videos and tracking of stages 5-6 are read through <see cref="ITrackedVideoSource"/> (the file layout of
    /// <see cref="StageFileTrackedVideoSource"/> unless another implementation is registered first).
    /// </summary>
    public static IServiceCollection AddTrainingStageHandlers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ModelStoreOptions>().Bind(configuration.GetSection(ModelStoreOptions.SectionName));
        services.AddOptions<TrainingStageOptions>().Bind(configuration.GetSection(TrainingStageOptions.SectionName));
        services.AddOptions<ExportStageOptions>().Bind(configuration.GetSection(ExportStageOptions.SectionName));

        services.TryAddSingleton<ModelStore>();
        services.TryAddSingleton<TrainingHeadLoader>();
        services.TryAddSingleton<PerceptualLossProvider>();
        services.TryAddSingleton<AvatarTrainingRunner>();
        services.TryAddSingleton<ITrackedVideoSource, StageFileTrackedVideoSource>();

        services.AddSingleton<IStageHandler, TrainStaticStageHandler>();
        services.AddSingleton<IStageHandler, TrainCoinStageHandler>();
        services.AddSingleton<IStageHandler, ExportStageHandler>();
        return services;
    }
}
