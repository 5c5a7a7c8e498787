namespace FaceCraft4D.Api.Animations;

/// <summary>An animation request refused before anything is stored, with a machine-readable reason and the HTTP status.</summary>
public sealed class InvalidAnimationRequestException(string reasonCode, string message, int statusCode = 400) : Exception(message)
{
    /// <summary>E.g. <c>not-a-video</c>, <c>no-face</c>, <c>run-not-finished</c>, <c>invalid-name</c>.</summary>
    public string ReasonCode { get; } = reasonCode;

    /// <summary>400, 404, 409, 413, 415, 422 or 503.</summary>
    public int StatusCode { get; } = statusCode;
}
