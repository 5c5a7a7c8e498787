using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Endpoints;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.GpuWorker.Scaling;
using FaceCraft4D.GpuWorker.Security;
using FaceCraft4D.Stages;
using FaceCraft4D.Stages.Animation;
using FaceCraft4D.Storage;
using FaceCraft4D.Vision.Video;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FaceCraft4D.GpuWorker;

/// <summary>
/// Builds the GPU worker web application. <see cref="Program"/> runs it; tests build it with their own
/// stage handlers (fakes for the GPU work only) on a loopback port.
/// </summary>
public static class GpuWorkerApp
{
    /// <summary>Creates the app: configuration, storage, job queue and runner, stage handlers, endpoints.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--urls</c>).</param>
    /// <param name="configureServices">Extra registrations (tests: fake handlers); runs after the defaults.</param>
    /// <param name="configurePipeline">Extra middleware (tests: fault injection); runs before the endpoints.</param>
    public static WebApplication Build(
        string[] args,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configurePipeline = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName));
        services.AddOptions<WorkerOptions>().Bind(builder.Configuration.GetSection(WorkerOptions.SectionName));
        services.AddWorkerCallerAuthentication(builder.Configuration);
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) => host.ShutdownTimeout = worker.Value.ShutdownTimeout);
        services.TryAddSingleton(sp => BlobServiceClientFactory.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton<IBlobStore, AzureBlobStore>();
        services.TryAddSingleton<CheckpointStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<FaceCraft4D.Pipeline.Intake.PortraitValidationOptions>()
            .Bind(builder.Configuration.GetSection(FaceCraft4D.Pipeline.Intake.PortraitValidationOptions.SectionName));
        services.TryAddSingleton<FaceCraft4D.Pipeline.Intake.PortraitValidator>(); // the screen endpoint's upload checks
        services.AddSingleton<WorkerVersion>();
        services.AddSingleton<WorkerInstance>();
        services.AddSingleton<JobLedger>();
        services.AddSingleton<JobRegistry>();
        services.TryAddSingleton<FaceCraft4D.Pipeline.Workers.RunTerminationMarker>(); // terminated runs' jobs are refused
        services.AddSingleton<StageHandlerCatalog>();
        services.AddSingleton<StageImplementations>();
        services.AddVisionStageHandlers(builder.Configuration);
        services.AddVideoStageHandlers(builder.Configuration);
        services.AddVideoIo(builder.Configuration);   // IVideoReader/IVideoWriter (FFmpeg) for the video animation stages
        services.AddTrainingStageHandlers(builder.Configuration);
        services.AddEvaluationStageHandler(builder.Configuration);
        services.AddPerformanceStageHandlers(builder.Configuration);   // TrackVideo, VideoClip (need AddVideoIo's IVideoReader/IVideoWriter)
        // Registered before the runner: hosted services stop in reverse order, so the signal outlives the running jobs' cancel-save.
        services.AddJobDemandSignal(builder.Configuration);
        services.TryAddSingleton<Screening.VideoFaceSampler>();
        services.AddHostedService<JobRunner>();
        services.AddSingleton<JobPathWarmup>();   // the first job's first-use costs, paid at start in the background
        services.AddHostedService(sp => sp.GetRequiredService<JobPathWarmup>());
        services.AddHostedService<ParentProcessWatchdog>();
        services.AddSingleton<Diagnostics.ConvolutionSelfCheck>(); // unaligned-channel conv bug of some AVX-512 CPUs, on /healthz
        services.AddHostedService(sp => sp.GetRequiredService<Diagnostics.ConvolutionSelfCheck>());
        services.ConfigureHttpJsonOptions(o =>
        {
            foreach (var converter in ContractJson.Options.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }

            o.SerializerOptions.DefaultIgnoreCondition = ContractJson.Options.DefaultIgnoreCondition;
        });
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<CallerAuthenticationMiddleware>(); // before routing: every route but /healthz, present and future
        configurePipeline?.Invoke(app);
        app.MapHealthEndpoints();
        app.MapJobEndpoints();
        app.MapPortraitScreenEndpoints();
        app.MapVideoScreenEndpoints();
        app.MapEvaluationReportEndpoints();
        return app;
    }
}
