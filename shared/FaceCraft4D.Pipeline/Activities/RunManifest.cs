using FaceCraft4D.Contracts;

namespace FaceCraft4D.Pipeline.Activities;

/// <summary>
/// The run manifest written to <c>avatars/{runId}/manifest.json</c>: inputs, settings, which backend produced
/// every stage, per-stage counters and the artifacts.
/// </summary>
public sealed record RunManifest(RunInput Input, RunOutput Output, DateTime CompletedAtUtc)
{
    /// <summary>File name of the manifest inside the avatar folder.</summary>
    public const string FileName = "manifest.json";
}
