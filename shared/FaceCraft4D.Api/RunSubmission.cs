namespace FaceCraft4D.Api;

/// <summary>The answer to a submission.</summary>
/// <param name="RunId">The run (also the orchestration instance id).</param>
/// <param name="Created">False when an identical run (same image and settings) already existed.</param>
/// <param name="RuntimeStatus">Durable runtime status of the run.</param>
public sealed record RunSubmission(string RunId, bool Created, string RuntimeStatus);
