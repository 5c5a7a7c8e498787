namespace FaceCraft4D.Stages;

/// <summary>The inputs of a work item cannot be processed (e.g. no face); retrying cannot help.</summary>
public class StageInputException(string reasonCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Machine-readable reason, e.g. <c>no-face</c>, <c>face-too-small</c>.</summary>
    public string ReasonCode { get; } = reasonCode;
}

/// <summary>The requested backend cannot run in this worker (e.g. its weights are not in the models store).</summary>
public class BackendUnavailableException(string message) : Exception(message);
