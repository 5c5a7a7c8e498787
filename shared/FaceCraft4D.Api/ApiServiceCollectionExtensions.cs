using FaceCraft4D.Api.Animations;
using FaceCraft4D.Api.Identity;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FaceCraft4D.Api;

/// <summary>Registers the run API services (both hosts). A <c>DurableTaskClient</c> must be registered by the host.</summary>
public static class ApiServiceCollectionExtensions
{
    /// <summary>Adds validation, settings resolution, the run service, upload intake and the HTTP handlers.</summary>
    public static IServiceCollection AddFc4dApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFc4dPipeline(configuration);
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName));
        services.TryAddSingleton<RunSubmissionGates>();
        services.AddOptions<Limits.LimitsOptions>().Bind(configuration.GetSection(Limits.LimitsOptions.SectionName)).ValidateDataAnnotations();
        services.TryAddSingleton<Limits.IRateBuckets>(sp => Limits.RateBucketsFactory.Create(sp, configuration)); // Blob Storage when configured: shared by every host
        services.AddHostedService<Limits.RateBucketsReport>(); // says at start-up which one is used
        services.TryAddSingleton<Limits.SubmissionRateLimiter>();
        services.TryAddSingleton<Limits.EvaluationAdmission>();
        services.TryAddSingleton<Limits.InFlightSubmissions>();
        services.TryAddSingleton<Limits.IActiveRunCounter, Limits.ActiveRunCounter>(); // hosts that register a DurableTaskClient; the Functions app builds one per client
        services.TryAddSingleton<Limits.SubmissionAdmission>();
        services.TryAddSingleton<AvatarRunService>();
        services.TryAddSingleton<UploadIntake>();
        services.TryAddSingleton<AvatarHttpHandlers>();
        services.TryAddSingleton<ClientBoundApi>();
        services.TryAddSingleton<EvaluationService>();
        services.TryAddSingleton<EvaluationHttpHandlers>();
        services.AddFc4dAnimations(configuration);
        services.AddFc4dIdentity(configuration);
        return services;
    }
}
