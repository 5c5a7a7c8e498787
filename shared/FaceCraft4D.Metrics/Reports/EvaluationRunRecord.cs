using FaceCraft4D.Metrics.Evaluation;

namespace FaceCraft4D.Metrics.Reports;

/// <summary>One run of a batch as the orchestration saw it: the input image, outcome, and its metrics.json when any.</summary>
public sealed record EvaluationRunRecord(string RunId, string ImageName, EvaluationRunStatus Status, AvatarMetricsDocument? Metrics, string? Error = null);
