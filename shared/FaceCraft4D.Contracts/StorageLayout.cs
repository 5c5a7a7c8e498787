namespace FaceCraft4D.Contracts;

/// <summary>
/// The blob layout of docs/architecture.md: one place that knows every container and path.
/// </summary>
public static class StorageLayout
{
    public const string UploadsContainer = "uploads";
    public const string RejectedUploadsContainer = "uploads-rejected";
    public const string RunsContainer = "runs";
    public const string AvatarsContainer = "avatars";
    public const string ModelsContainer = "models";
    public const string EvalContainer = "eval";

    /// <summary>Every container the system creates at start-up.</summary>
    public static IReadOnlyList<string> AllContainers { get; } =
        [UploadsContainer, RejectedUploadsContainer, RunsContainer, AvatarsContainer, ModelsContainer, EvalContainer];

    /// <summary><c>runs/{runId}/input/{fileName}</c>.</summary>
    public static BlobRef RunInput(string runId, string fileName) => new(RunsContainer, $"{runId}/input/{fileName}");

    /// <summary>Folder of one stage work item: <c>{runId}/stages/{stage}/{key}/</c> in <c>runs</c>.</summary>
    public static string StagePrefix(string runId, PipelineStage stage, string key) => $"{runId}/stages/{stage.Slug()}/{key}/";

    /// <summary>An output blob of a stage work item.</summary>
    public static BlobRef StageOutput(string runId, PipelineStage stage, string key, string fileName) =>
        new(RunsContainer, StagePrefix(runId, stage, key) + fileName);

    /// <summary>The checkpoint record of a stage work item.</summary>
    public static BlobRef StageCheckpoint(string runId, PipelineStage stage, string key) =>
        StageOutput(runId, stage, key, "checkpoint.json");

    /// <summary>The final avatar folder: <c>avatars/{runId}/</c>.</summary>
    public static string AvatarPrefix(string runId) => $"{runId}/";

    /// <summary>A final avatar artifact.</summary>
    public static BlobRef AvatarArtifact(string runId, string fileName) => new(AvatarsContainer, AvatarPrefix(runId) + fileName);

    /// <summary>Where a rejected upload is moved, and its reason file.</summary>
    public static (BlobRef Blob, BlobRef Reason) RejectedUpload(string uploadName) =>
        (new(RejectedUploadsContainer, uploadName), new(RejectedUploadsContainer, uploadName + ".reason.json"));
}
