using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Stages;

namespace FaceCraft4D.GpuWorker.Endpoints;

/// <summary>
/// <c>GET /healthz</c> (liveness for probes; <c>warm</c>: the job path's start-up warm-up has run; <c>convolution</c>: the
/// start-up check of the CPU's unaligned-channel convolutions, <see cref="Diagnostics.ConvolutionSelfCheck"/>), <c>GET /api/capabilities</c> (stages and backends) and
/// <c>GET /api/stages/{stage}/implementation</c> (the code and weights identity that goes into input hashes).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (WorkerVersion version, JobRegistry registry, JobPathWarmup warmup, Diagnostics.ConvolutionSelfCheck convolution) => Results.Json(new
        {
            status = "ok",
            version = version.Value,
            warm = warmup.IsWarm, // the job path has run once (JobPathWarmup); the worker takes jobs either way
            jobs = registry.Snapshot().GroupBy(j => j.State).ToDictionary(g => g.Key.ToString(), g => g.Count()),
            convolution = convolution.Report(),
        }));
        app.MapGet("/api/capabilities", (StageHandlerCatalog handlers, WorkerVersion version) => Results.Json(new
        {
            version = version.Value,
            stages = handlers.Capabilities(),
        }, ContractJson.Options));
        app.MapGet("/api/stages/{stage}/implementation", async (string stage, StageImplementations implementations, CancellationToken cancellationToken) =>
        {
            if (!PipelineStages.TryParseSlug(stage, out var parsed))
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown stage", detail: $"'{stage}' is not a pipeline stage.");
            }

            return await implementations.DescribeAsync(parsed, cancellationToken).ConfigureAwait(false) is { } implementation
                ? Results.Json(implementation, ContractJson.Options)
                : Results.Problem(statusCode: StatusCodes.Status501NotImplemented, title: "Stage not implemented",
                    detail: $"This worker has no implementation of stage {parsed.Slug()} yet.");
        });
        return app;
    }
}
