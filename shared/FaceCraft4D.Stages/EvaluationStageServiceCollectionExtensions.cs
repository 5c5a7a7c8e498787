using FaceCraft4D.Stages.Evaluation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Stages;

/// <summary>Registers stage 10 (Evaluate) and the evaluation batch report composer.</summary>
public static class EvaluationStageServiceCollectionExtensions
{
    /// <summary>Adds the Evaluate handler (options <c>Fc4d:Evaluate</c>; needs the training registrations' head loader) and the report composer.</summary>
    public static IServiceCollection AddEvaluationStageHandler(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EvaluateStageOptions>().Bind(configuration.GetSection(EvaluateStageOptions.SectionName));
        services.TryAddSingleton<EvaluationModels>();
        services.TryAddSingleton<EvaluationReportComposer>();
        services.AddSingleton<IStageHandler, EvaluateStageHandler>();
        return services;
    }
}
