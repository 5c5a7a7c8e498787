using FaceCraft4D.Contracts;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Evaluation;

// Adapters exposing the evaluation activity logic to the Durable Task worker (local host); the Functions app
// exposes the same logic through [ActivityTrigger] functions of the same names.

/// <summary>Activity <see cref="DurableNames.ListEvaluationSetActivity"/>.</summary>
public sealed class ListEvaluationSetTaskActivity(EvaluationActivities logic) : TaskActivity<EvaluationBatchInput, List<BlobRef>>
{
    /// <inheritdoc />
    public override Task<List<BlobRef>> RunAsync(TaskActivityContext context, EvaluationBatchInput input) => logic.ListSetAsync(input, CancellationToken.None);
}

/// <summary>Activity <see cref="DurableNames.PrepareEvaluationRunActivity"/>.</summary>
public sealed class PrepareEvaluationRunTaskActivity(EvaluationActivities logic) : TaskActivity<PrepareEvaluationRun, EvaluationRunStart>
{
    /// <inheritdoc />
    public override Task<EvaluationRunStart> RunAsync(TaskActivityContext context, PrepareEvaluationRun input) => logic.PrepareAsync(input, CancellationToken.None);
}

/// <summary>Activity <see cref="DurableNames.WriteEvaluationReportActivity"/>.</summary>
public sealed class WriteEvaluationReportTaskActivity(EvaluationActivities logic) : TaskActivity<EvaluationReportRequest, List<BlobRef>>
{
    /// <inheritdoc />
    public override Task<List<BlobRef>> RunAsync(TaskActivityContext context, EvaluationReportRequest input) => logic.WriteReportAsync(input, CancellationToken.None);
}
