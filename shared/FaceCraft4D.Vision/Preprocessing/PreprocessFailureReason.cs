namespace FaceCraft4D.Vision.Preprocessing;

/// <summary>Machine-readable reason why a photo cannot be preprocessed (maps to a 4xx for user input).</summary>
public enum PreprocessFailureReason
{
    /// <summary>The detector found no face (in any tried orientation).</summary>
    NoFace,
    /// <summary>The largest face is smaller than <see cref="PreprocessOptions.MinFaceSizePixels"/>.</summary>
    FaceTooSmall,
    /// <summary>The face is rotated too far (in-plane roll, or yaw / pitch beyond the configured limits).</summary>
    ExtremeRotation,
    /// <summary>The image is empty or unusable.</summary>
    InvalidImage,
    /// <summary>The detector / landmark weights were not found (a deployment problem, not a user error).</summary>
    ModelsMissing,
}
