using FaceCraft4D.Contracts;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace FaceCraft4D.Api;

/// <summary>
/// The <c>error</c> text clients see for an orchestration (an avatar run, a video animation job) that ended without
/// success: <c>terminated: …</c>, a stage failure's reason as the stage left it in the custom status, or for anything
/// else (an unexpected exception) the fixed <see cref="InternalError"/> text, the exception's own text only in the log.
/// </summary>
public static class OrchestrationFailureText
{
    /// <summary>What clients see of an instance that failed outside a stage: a stable message, the raw text only in the log.</summary>
    public const string InternalError = "internal-error: the run failed unexpectedly; the details are in the server log under this run id.";

    /// <summary>What clients see of a failed instance that left no text at all (nothing to hide, nothing to log).</summary>
    public const string WithoutDetails = "the run failed without details";

    /// <summary>The failure text of <paramref name="metadata"/>; null while it runs or when it completed.</summary>
    /// <param name="metadata">The instance, with its inputs and outputs.</param>
    /// <param name="progress">Its custom status (where a stage leaves its failure reason).</param>
    /// <param name="logger">Where the raw text of an unexpected failure goes.</param>
    /// <param name="kind">What the instance is, for the log line (<c>Run</c>, <c>Animation</c>).</param>
    public static string? For(OrchestrationMetadata metadata, RunProgress? progress, ILogger logger, string kind)
    {
        if (metadata.RuntimeStatus == OrchestrationRuntimeStatus.Terminated)
        {
            return $"terminated: {metadata.SerializedOutput}";
        }

        if (metadata.RuntimeStatus != OrchestrationRuntimeStatus.Failed)
        {
            return null;
        }

        // A stage failure leaves its reason in the custom status (no_face, ...); anything else is an unexpected exception
        // in the failure details (Functions) or the serialized output (Azure Storage provider behind the gRPC sidecar):
        // its text (types, paths, hosts) is logged, not returned.
        if (progress?.Message is { } message && message.Contains(" failed: ", StringComparison.Ordinal))
        {
            return message;
        }

        var raw = metadata.FailureDetails?.ErrorMessage
            ?? (string.IsNullOrWhiteSpace(metadata.SerializedOutput) ? null : metadata.SerializedOutput)
            ?? progress?.Message;
        if (raw is null)
        {
            return WithoutDetails;
        }

        logger.LogWarning("{Kind} {InstanceId} failed outside a stage ({ErrorType}): {Error}", kind, metadata.InstanceId, metadata.FailureDetails?.ErrorType, raw);
        return InternalError;
    }
}
