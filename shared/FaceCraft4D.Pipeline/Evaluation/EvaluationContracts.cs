using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Evaluation;

/// <summary>What the prepare activity did with one image of the set.</summary>
/// <param name="Image">The image blob.</param>
/// <param name="Run">The run input (stored), or null when the image was rejected.</param>
/// <param name="Error">Why the image was rejected.</param>
public sealed record EvaluationRunStart(BlobRef Image, RunInput? Run, string? Error);

/// <summary>Output of an evaluation batch.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="SetName">The set.</param>
/// <param name="Entries">Per image.</param>
/// <param name="Report">The report files.</param>
public sealed record EvaluationBatchOutput(string BatchId, string SetName, IReadOnlyList<EvaluationRunEntry> Entries, IReadOnlyList<BlobRef> Report);

/// <summary>Custom status of a batch.</summary>
public sealed record EvaluationProgress(string SetName, int Images, int Completed, int Failed, int Rejected, string Phase);
