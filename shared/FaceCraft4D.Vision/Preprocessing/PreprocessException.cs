namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>Thrown when a photo cannot be preprocessed; <see cref="Reason"/> is machine-readable, Message is for people.</summary>
public sealed class PreprocessException : Exception
{
    public PreprocessFailureReason Reason { get; }

    /// <summary>Stable lower-case code, e.g. "no_face", "face_too_small", "extreme_rotation".</summary>
    public string Code => Reason switch
    {
        PreprocessFailureReason.NoFace => "no_face",
        PreprocessFailureReason.FaceTooSmall => "face_too_small",
        PreprocessFailureReason.ExtremeRotation => "extreme_rotation",
        PreprocessFailureReason.InvalidImage => "invalid_image",
        PreprocessFailureReason.ModelsMissing => "models_missing",
        _ => Reason.ToString(),
    };

    /// <summary>True when the photo is at fault (a client error), false for deployment problems.</summary>
    public bool IsUserError => Reason != PreprocessFailureReason.ModelsMissing;

    public PreprocessException(PreprocessFailureReason reason, string message, Exception? inner = null)
        : base(message, inner) => Reason = reason;
}
