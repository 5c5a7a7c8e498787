namespace FaceCraft4D.Pipeline.Activities;

/// <summary>
/// A stage failure that retrying cannot fix (bad input, stage not implemented). The orchestrator's retry
/// handler stops at once for these and the run fails with the message.
/// </summary>
public class PermanentStageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The worker has no implementation of the stage or backend yet (HTTP 501).</summary>
public sealed class StageNotImplementedException(string message) : PermanentStageException(message);

/// <summary>The worker rejected the stage's inputs (HTTP 400/404/409/422), e.g. no face in the photo.</summary>
public sealed class StageInputRejectedException(string message) : PermanentStageException(message);

/// <summary>A worker job ended in failure; its error message is kept.</summary>
public sealed class StageJobFailedException(string message) : PermanentStageException(message);

/// <summary>The worker could not be reached or kept failing after the HTTP retries: worth a durable retry.</summary>
public sealed class GpuWorkerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
