using FaceCraft4D.Pipeline.Activities;
using Microsoft.DurableTask;

namespace FaceCraft4D.Pipeline.Orchestration;

/// <summary>
/// What clients see of a failed stage. A refusal of the stage's input (no face, ...) or a stage the worker cannot run
/// carries a reason written for users, and is shown. Any other failure (the worker unreachable, a job that crashed,
/// an unexpected exception) carries raw exception text (types, paths, hosts, stack lines): clients get a stable
/// reason, and the raw text goes to the server log only.
/// </summary>
public static class StageFailureReasons
{
    /// <summary>Failure types whose messages are written for users.</summary>
    private static readonly HashSet<string> UserFacing =
    [
        typeof(StageInputRejectedException).FullName!,
        typeof(StageNotImplementedException).FullName!,
    ];

    /// <summary>The reason shown to clients for a failure chain (outer failure first, e.g. a job sub-orchestration around its activity).</summary>
    public static string ForClients(TaskFailureDetails? failure)
    {
        var chain = new List<TaskFailureDetails>();
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            chain.Add(f);
        }

        if (chain.FirstOrDefault(f => UserFacing.Contains(f.ErrorType)) is { } shown)
        {
            return shown.ErrorMessage;
        }

        if (chain.Any(f => f.ErrorType == typeof(StageJobFailedException).FullName))
        {
            return "the worker job failed (the details are in the server log under this run id)";
        }

        return chain.Any(f => f.ErrorType == typeof(GpuWorkerUnavailableException).FullName)
            ? "the GPU worker was unavailable or kept failing (the details are in the server log under this run id)"
            : Internal;
    }

    /// <summary>The reason of a failure of unknown kind.</summary>
    public const string Internal = "internal error (the details are in the server log under this run id)";
}
