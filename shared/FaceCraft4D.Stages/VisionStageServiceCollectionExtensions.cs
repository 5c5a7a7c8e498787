using FaceCraft4D.Stages.ImagePrior;
using FaceCraft4D.Stages.Models;
using FaceCraft4D.Stages.Preprocess;
using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.ImagePrior;
using FaceCraft4D.Vision.Preprocessing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Stages;

/// <summary>Registers the handlers of stages 1-4 (preprocess, shape prior, back view, views) and what they share.</summary>
public static class VisionStageServiceCollectionExtensions
{
    /// <summary>
    /// Adds the four handlers as <see cref="IStageHandler"/> singletons, with their options bound from
    /// <c>Fc4d:Models</c>, <c>Fc4d:Preprocess</c>, <c>Fc4d:ShapePrior</c> and <c>Fc4d:ImagePrior</c>. Models are
    /// loaded once per worker, on first use.
    /// </summary>
    public static IServiceCollection AddVisionStageHandlers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ModelStoreOptions>().Bind(configuration.GetSection(ModelStoreOptions.SectionName));
        services.AddOptions<PreprocessOptions>().Bind(configuration.GetSection(PortraitPreprocessorProvider.SectionName));
        services.AddOptions<ShapePriorStageOptions>().Bind(configuration.GetSection(ShapePriorStageOptions.SectionName));
        services.AddOptions<ImagePriorStageOptions>().Bind(configuration.GetSection(ImagePriorStageOptions.SectionName));

        services.TryAddSingleton<ModelStore>();
        services.TryAddSingleton<PortraitPreprocessorProvider>();
        services.TryAddSingleton<HeadModelProvider>();
        services.TryAddSingleton<ShapePriorBackends>();
        services.AddOptions<DiffusionViewEnhancerOptions>().Bind(configuration.GetSection(DiffusionViewEnhancerOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IViewEnhancer, WarpBlendViewEnhancer>(
            sp => new WarpBlendViewEnhancer(sp.GetRequiredService<IOptions<ImagePriorStageOptions>>().Value.Blend)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IViewEnhancer, DiffusionViewEnhancer>());
        services.TryAddSingleton<ViewEnhancers>();
        services.TryAddSingleton<ViewEnhancementStage>();

        services.TryAddSingleton<IPortraitScreener, PreprocessingPortraitScreener>();
        services.AddSingleton<IStageHandler, PreprocessStageHandler>();
        services.AddSingleton<IStageHandler, ShapePriorStageHandler>();
        services.AddSingleton<IStageHandler, EnhanceBackViewStageHandler>();
        services.AddSingleton<IStageHandler, EnhanceViewStageHandler>();
        return services;
    }
}
