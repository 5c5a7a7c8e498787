using FaceCraft4D.Contracts;
using FaceCraft4D.GpuWorker.Jobs;
using FaceCraft4D.GpuWorker.Security;
using FaceCraft4D.Stages;
using Microsoft.AspNetCore.Mvc;

namespace FaceCraft4D.GpuWorker.Endpoints;

/// <summary>
/// The async request-reply job API: <c>POST /api/jobs/{stage}</c> -> 202 + Location,
/// <c>GET /api/jobs/{stage}/{jobId}</c> -> status/progress/result (<c>?wait=S</c>: long poll, answered when the job ends
/// or after S seconds, at most <see cref="WorkerOptions.MaxPollWait"/>), <c>DELETE</c> -> cancel.
/// Submissions are idempotent by the <c>Idempotency-Key</c> header (the job id).
/// </summary>
public static class JobEndpoints
{
    /// <summary>Header carrying the job's idempotency key.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Maps the job routes.</summary>
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs/{stage}");
        jobs.MapPost("/", Submit);
        jobs.MapGet("/{jobId}", Get);
        jobs.MapDelete("/{jobId}", Cancel);
        return app;
    }

    private static async Task<IResult> Submit(
        string stage,
        [FromBody] StageRequest? request,
        [FromHeader(Name = IdempotencyHeader)] string? key,
        JobRegistry registry,
        StageHandlerCatalog handlers,
        CancellationToken cancellationToken)
    {
        if (!PipelineStages.TryParseSlug(stage, out var parsed))
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown stage", $"'{stage}' is not a pipeline stage.");
        }

        if (request is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing request", "The body must be a JSON stage request.");
        }

        if (request.Stage != parsed)
        {
            return Problem(StatusCodes.Status400BadRequest, "Stage mismatch", $"The body is for stage {request.Stage.Slug()}, the route for {stage}.");
        }

        if (StageRequestScope.Violation(request) is { } violation)
        {
            return Problem(StatusCodes.Status400BadRequest, "Request outside its run", violation);
        }

        var expected = request.IdempotencyKey();
        if (string.IsNullOrWhiteSpace(key) || key != expected)
        {
            return Problem(StatusCodes.Status400BadRequest, "Idempotency-Key required",
                $"Send header {IdempotencyHeader}: {expected} (derived from the request's content).");
        }

        if (handlers.Find(parsed) is null)
        {
            return Problem(StatusCodes.Status501NotImplemented, "Stage not implemented",
                $"This worker has no implementation of stage {parsed.Slug()} yet.");
        }

        var accepted = await registry.SubmitOrGetAsync(key, request, cancellationToken);
        if (accepted is null)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests, title: "Queue full", detail: "Too many queued jobs; retry later.",
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = 5 });
        }

        var location = $"/api/jobs/{parsed.Slug()}/{Uri.EscapeDataString(accepted.Status.JobId)}";
        return Results.Json(accepted.Status, ContractJson.Options, statusCode: StatusCodes.Status202Accepted)
            .WithLocation(location);
    }

    private static async Task<IResult> Get(string stage, string jobId, [FromQuery] double? wait, JobRegistry registry, CancellationToken cancellationToken)
    {
        if (InvalidJobId(stage, jobId) is { } invalid)
        {
            return invalid;
        }

        if (wait is { } w && (double.IsNaN(w) || w < 0 || w > 3600))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid wait", "wait is the long poll's limit in seconds (0 to 3600; the worker caps it).");
        }

        var waitFor = TimeSpan.FromSeconds(wait ?? 0);
        return await registry.WaitForStatusAsync(jobId, waitFor, cancellationToken) is { } status && status.Stage.Slug() == stage
            ? Results.Json(status, ContractJson.Options)
            : Problem(StatusCodes.Status404NotFound, "Unknown job", $"No job '{jobId}' for stage {stage} is known (the worker may have restarted before recording it).");
    }

    /// <summary>
    /// Cancels exactly the job named by the route, and only when the <c>Idempotency-Key</c> header names the same job
    /// (the caller states which run's job it cancels): a cancel meant for one run can never reach another run's job.
    /// </summary>
    private static IResult Cancel(string stage, string jobId, [FromHeader(Name = IdempotencyHeader)] string? key, JobRegistry registry)
    {
        if (InvalidJobId(stage, jobId) is { } invalid)
        {
            return invalid;
        }

        if (!string.Equals(key, jobId, StringComparison.Ordinal))
        {
            return Problem(StatusCodes.Status400BadRequest, "Idempotency-Key required",
                $"A cancel names its job twice: send header {IdempotencyHeader}: {jobId} (the job of the run being cancelled).");
        }

        if (registry.Find(jobId) is not { } job || job.Request.Stage.Slug() != stage || job.Request.RunId != JobKey.TryParse(jobId)!.RunId)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown job", $"No job '{jobId}' for stage {stage} runs on this worker instance.");
        }

        job.Cancellation.Cancel();
        return Results.Json(job.ToStatus(), ContractJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>A 400 when the job id is not a job key (<see cref="JobKey.TryParse"/>) of the route's stage; null when it is.</summary>
    private static IResult? InvalidJobId(string stage, string jobId) =>
        JobKey.TryParse(jobId) is { } parsed && string.Equals(parsed.Stage.Slug(), stage, StringComparison.Ordinal)
            ? null
            : Problem(StatusCodes.Status400BadRequest, "Invalid job id",
                $"'{jobId}' is not a job id of stage {stage} ({{runId}}.{{stage}}.{{key}}.{{16 hex}}).");

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);

    private static IResult WithLocation(this IResult result, string location) => new LocatedResult(result, location);

    private sealed class LocatedResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
