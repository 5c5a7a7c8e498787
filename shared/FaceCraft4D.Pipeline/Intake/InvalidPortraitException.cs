namespace FaceCraft4D.Pipeline.Intake;

/// <summary>The upload cannot become a run; the message says why in words a user understands.</summary>
public sealed class InvalidPortraitException(string reasonCode, string message, int statusCode = 400) : Exception(message)
{
    /// <summary>Machine-readable reason: <c>empty</c>, <c>too-large</c>, <c>not-an-image</c>, <c>unsupported-format</c>,
    /// <c>truncated</c>, <c>decompression-bomb</c>, <c>too-small</c>, <c>no-face</c>.</summary>
    public string ReasonCode { get; } = reasonCode;

    /// <summary>HTTP status to answer with (400, or 413 for oversize uploads).</summary>
    public int StatusCode { get; } = statusCode;
}
