using FaceCraft4D.Api;
using FaceCraft4D.Contracts;
using FaceCraft4D.Pipeline;
using FaceCraft4D.Pipeline.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Functions;

/// <summary>Evaluation batches: the schedule (NCRONTAB app setting <c>Fc4dEvaluationSchedule</c>), the HTTP API, the orchestrator and its activities.</summary>
public sealed class EvaluationFunctions(ClientBoundApi api, EvaluationActivities activities, ILogger<EvaluationFunctions> logger)
{
    /// <summary>Starts one batch per configured set on the schedule.</summary>
    [Function("EvaluationSchedule")]
    public async Task Scheduled([TimerTrigger("%Fc4dEvaluationSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var started = await api.Evaluations(client).StartScheduledAsync("timer", cancellationToken);
        logger.LogInformation("Scheduled evaluation started {Batches} (next {Next})", string.Join(", ", started), timer.ScheduleStatus?.Next);
    }

    /// <summary><c>POST /api/evaluations</c>.</summary>
    [Function("StartEvaluation")]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "evaluations")] HttpRequest request, [DurableClient] DurableTaskClient client)
    {
        await api.EvaluationHandlers(client).StartAsync(request.HttpContext);
        return new EmptyResult();
    }

    /// <summary><c>GET /api/evaluations/{id}</c>.</summary>
    [Function("GetEvaluation")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "evaluations/{id}")] HttpRequest request, string id, [DurableClient] DurableTaskClient client)
    {
        await api.EvaluationHandlers(client).GetAsync(request.HttpContext, id);
        return new EmptyResult();
    }

    /// <summary>The batch orchestrator.</summary>
    [Function(DurableNames.EvaluationBatchOrchestrator)]
    public static Task<EvaluationBatchOutput> Batch([OrchestrationTrigger] TaskOrchestrationContext context) =>
        EvaluationBatchOrchestrator.RunAsync(context, context.GetInput<EvaluationBatchInput>() ?? throw new InvalidOperationException("EvaluationBatch needs its input."));

    /// <summary>Lists the set's images.</summary>
    [Function(DurableNames.ListEvaluationSetActivity)]
    public Task<List<BlobRef>> ListSet([ActivityTrigger] EvaluationBatchInput batch, CancellationToken cancellationToken) =>
        activities.ListSetAsync(batch, cancellationToken);

    /// <summary>Prepares one image's run.</summary>
    [Function(DurableNames.PrepareEvaluationRunActivity)]
    public Task<EvaluationRunStart> Prepare([ActivityTrigger] PrepareEvaluationRun request, CancellationToken cancellationToken) =>
        activities.PrepareAsync(request, cancellationToken);

    /// <summary>Writes the report.</summary>
    [Function(DurableNames.WriteEvaluationReportActivity)]
    public Task<List<BlobRef>> Report([ActivityTrigger] EvaluationReportRequest request, CancellationToken cancellationToken) =>
        activities.WriteReportAsync(request, cancellationToken);
}
