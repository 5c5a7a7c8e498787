namespace FaceCraft4D.Metrics.Reports;

/// <summary>How one run of an evaluation batch ended.</summary>
public enum EvaluationRunStatus
{
    Completed,
    Failed,
    Terminated,
    TimedOut,
}
