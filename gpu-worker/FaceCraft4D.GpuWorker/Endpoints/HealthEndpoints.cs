using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.Stages;

namespace FaceCraft4D.GpuWorker.Endpoints;

/// <summary><c>GET /healthz</c> (liveness for probes) and <c>GET /api/capabilities</c> (stages and backends).</summary>
public static class HealthEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (WorkerVersion version, JobRegistry registry) => Results.Json(new
        {
            status = "ok",
            version = version.Value,
            jobs = registry.Snapshot().GroupBy(j => j.State).ToDictionary(g => g.Key.ToString(), g => g.Count()),
        }));
        app.MapGet("/api/capabilities", (StageHandlerCatalog handlers, WorkerVersion version) => Results.Json(new
        {
            version = version.Value,
            stages = handlers.Capabilities(),
        }, ContractJson.Options));
        return app;
    }
}
