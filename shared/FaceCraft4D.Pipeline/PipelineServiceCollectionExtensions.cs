using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline.Activities;
using FaceCraft4D.Pipeline.Evaluation;
using FaceCraft4D.Pipeline.Intake;
using FaceCraft4D.Pipeline.Workers;
using FaceCraft4D.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.Pipeline;

/// <summary>Dependency injection of the pipeline's services (both hosts call this).</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>Storage: options, the blob client, <see cref="IBlobStore"/>, <see cref="CheckpointStore"/>.</summary>
    public static IServiceCollection AddFc4dStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));
        services.TryAddSingleton(sp => BlobServiceClientFactory.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton<IBlobStore, AzureBlobStore>();
        services.TryAddSingleton<CheckpointStore>();
        return services;
    }

    /// <summary>Everything the orchestrations and activities need: storage, the resilient GPU worker client, activity logic.</summary>
    public static IServiceCollection AddFc4dPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFc4dStorage(configuration);
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.SectionName));
        services.AddOptions<GpuWorkerOptions>().Bind(configuration.GetSection(GpuWorkerOptions.SectionName))
            .Validate(o => o.StageTimeout > TimeSpan.Zero && o.StageTimeout <= GpuWorkerOptions.MaxStageTimeout,
                $"{GpuWorkerOptions.SectionName}:StageTimeout must be positive and at most {GpuWorkerOptions.MaxStageTimeout} (under the Functions host's functionTimeout).");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GpuWorkerPolicies>();
        services.TryAddTransient<AttemptCountingHandler>();
        services.TryAddSingleton<WorkerAccessToken>();
        services.TryAddTransient<WorkerAuthorizationHandler>(); // every worker client: the job API, screening, reports
        services.AddHttpClient<IGpuWorkerClient, GpuWorkerClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddPolicyHandler((sp, _) => sp.GetRequiredService<GpuWorkerPolicies>().Retry)
            .AddPolicyHandler((sp, request) => sp.GetRequiredService<GpuWorkerPolicies>().CircuitBreakerFor(request))
            .AddPolicyHandler((sp, _) => sp.GetRequiredService<GpuWorkerPolicies>().AttemptTimeout)
            .AddHttpMessageHandler<AttemptCountingHandler>()
            .AddHttpMessageHandler<WorkerAuthorizationHandler>();
        services.TryAddTransient<StageActivityRunner>(); // transient: holds a typed HttpClient
        services.TryAddTransient<RunJobCanceller>(); // transient: holds a typed HttpClient
        services.TryAddSingleton<RunTerminationMarker>();
        services.TryAddSingleton<ManifestWriter>();
        services.TryAddSingleton<Animations.AnimationPublisher>();
        services.AddOptions<PortraitValidationOptions>().Bind(configuration.GetSection(PortraitValidationOptions.SectionName));
        services.TryAddSingleton<PortraitValidator>();
        services.AddOptions<WorkBudgetOptions>().Bind(configuration.GetSection(WorkBudgetOptions.SectionName));
        services.TryAddSingleton<WorkBudget>();
        services.TryAddSingleton<RunSettingsResolver>();
        services.TryAddSingleton<RunInputFactory>();
        services.TryAddSingleton<IPortraitScreen, WorkerPortraitScreen>();
        services.AddHttpClient(WorkerPortraitScreen.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddPolicyHandler((sp, _) => sp.GetRequiredService<GpuWorkerPolicies>().Retry)
            .AddPolicyHandler((sp, request) => sp.GetRequiredService<GpuWorkerPolicies>().CircuitBreakerFor(request))
            .AddPolicyHandler((sp, _) => sp.GetRequiredService<GpuWorkerPolicies>().AttemptTimeout)
            .AddHttpMessageHandler<WorkerAuthorizationHandler>();
        services.AddOptions<EvaluationOptions>().Bind(configuration.GetSection(EvaluationOptions.SectionName));
        services.TryAddSingleton<EvaluationReportClient>();
        services.AddHttpClient(EvaluationReportClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddPolicyHandler((sp, _) => sp.GetRequiredService<GpuWorkerPolicies>().Retry)
            .AddPolicyHandler((sp, request) => sp.GetRequiredService<GpuWorkerPolicies>().CircuitBreakerFor(request))
            .AddHttpMessageHandler<WorkerAuthorizationHandler>();
        services.TryAddSingleton<EvaluationActivities>();
        return services;
    }
}
