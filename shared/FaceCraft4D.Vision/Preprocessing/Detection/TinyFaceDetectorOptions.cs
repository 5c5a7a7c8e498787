namespace FaceCraft4D.Vision.Preprocessing.Detection;

/// <summary>Tunables of the tiny face detector (face-api.js defaults).</summary>
public sealed class TinyFaceDetectorOptions
{
    /// <summary>Network input side; a multiple of 32. face-api default 416; larger finds smaller faces.</summary>
    public int InputSize { get; set; } = 416;
    /// <summary>Minimum objectness (sigmoid) to keep a box; face-api default 0.5.</summary>
    public double ScoreThreshold { get; set; } = 0.5;
    /// <summary>IoU above which the weaker of two boxes is suppressed; face-api uses 0.4.</summary>
    public double IouThreshold { get; set; } = 0.4;
}
