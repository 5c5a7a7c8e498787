namespace FaceCraft4D.Contracts;

/// <summary>Input of an evaluation batch orchestration.</summary>
/// <param name="BatchId">Instance id of the batch, e.g. <c>eval-default-20261125-030000-ab12</c>.</param>
/// <param name="SetName">Folder under <c>eval/sets/</c>.</param>
/// <param name="Preset">Preset of the avatar runs (null: default).</param>
/// <param name="SettingsJson">Setting overrides as a JSON object text, or null.</param>
/// <param name="MaxParallelRuns">Avatar runs at the same time.</param>
/// <param name="MaxImages">Images taken from the set at most.</param>
/// <param name="Trigger">What started it: <c>timer</c>, <c>http</c>, <c>cli</c>.</param>
/// <param name="Owner">Who started it: owns the batch and its avatar runs (null: <see cref="RunIdentity.LocalOwner"/>).</param>
public sealed record EvaluationBatchInput(
    string BatchId, string SetName, string? Preset, string? SettingsJson, int MaxParallelRuns, int MaxImages, string Trigger,
    string? Owner = null);

/// <summary>Outcome of one image in a batch.</summary>
/// <param name="ImageName">Name inside the set.</param>
/// <param name="RunId">The avatar run (shared with any other run of the same image and settings).</param>
/// <param name="Status">completed, failed or rejected.</param>
/// <param name="Error">Reason when not completed.</param>
/// <param name="Backends">Backend per stage when completed.</param>
public sealed record EvaluationRunEntry(string ImageName, string? RunId, string Status, string? Error, IReadOnlyDictionary<string, string>? Backends);

/// <summary>Input of the report activity.</summary>
public sealed record EvaluationReportRequest(EvaluationBatchInput Batch, IReadOnlyList<EvaluationRunEntry> Entries, DateTime CompletedAtUtc);
