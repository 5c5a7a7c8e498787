namespace FaceCraft4D.Pipeline.Intake;

/// <summary>
/// The stable, user-facing answer to a worker's face-screen refusal: the worker's own <c>detail</c> may carry raw
/// exception text (decoder errors, paths), so clients get the message for the reason code instead; an unknown code
/// becomes <see cref="UnusablePhoto"/>.
/// </summary>
public static class ScreenRefusalMessages
{
    /// <summary>Reason of a refusal whose code the API does not know.</summary>
    public const string UnusablePhoto = "unusable-photo";

    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["no-face"] = "No face was found in the photo; use a portrait with one clearly visible face.",
        ["face-too-small"] = "The face in the photo is too small; use a closer portrait.",
        ["extreme-rotation"] = "The face is turned or tilted too far; use a frontal, upright portrait.",
        ["invalid-image"] = "The photo could not be read as an image.",
        [UnusablePhoto] = "The photo cannot be used for an avatar; use a frontal portrait with one clearly visible face.",
    };

    /// <summary>The stable reason code and message for a worker's reason code (any spelling: <c>no_face</c> or <c>no-face</c>).</summary>
    public static (string Reason, string Message) For(string? workerReason)
    {
        var code = workerReason?.Trim().ToLowerInvariant().Replace('_', '-');
        return code is not null && Messages.TryGetValue(code, out var message)
            ? (code, message)
            : (UnusablePhoto, Messages[UnusablePhoto]);
    }
}
