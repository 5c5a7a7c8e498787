using FaceCraft4D.Contracts;
using FaceCraft4D.Stages.Evaluation;
using Microsoft.AspNetCore.Mvc;

namespace FaceCraft4D.GpuWorker.Endpoints;

/// <summary><c>POST /api/evaluation-reports</c>: composes and writes an evaluation batch's report; answers the written blobs.</summary>
public static class EvaluationReportEndpoints
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapEvaluationReportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/evaluation-reports", async ([FromBody] EvaluationReportRequest? request, EvaluationReportComposer composer, CancellationToken cancellationToken) =>
            request is null || !EvaluationLayout.IsValidSetName(request.Batch.SetName)
                ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid report request", detail: "The body must be an evaluation report request.")
                : Results.Json(await composer.ComposeAsync(request, cancellationToken), ContractJson.Options));
        return app;
    }
}
