namespace FaceCraft4D.Animation.Tracking;

/// <summary>Landmark detection on video frames (configuration section <c>Fc4d:Tracking:Landmarks</c>).</summary>
public sealed class FrameLandmarkOptions
{
    /// <summary>Detect landmarks at all (otherwise the photometric term alone tracks).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>face-api.js model folder (null: FC4D_FACE_MODELS or infra/node/node_modules/@vladmandic/face-api/model).</summary>
    public string? FaceModelsPath { get; set; }

    /// <summary>Use the tiny 68-point landmark net instead of the full one.</summary>
    public bool TinyLandmarkNet { get; set; }

    /// <summary>Views turned further than this from the face (degrees) are not searched (the 68-point net is trained on near-frontal faces).</summary>
    public double MaxYawDegrees { get; set; } = 45;

    /// <summary>Smallest overlap (IoU) between the detected face box and the box of the expected landmarks.</summary>
    public double MinBoxOverlap { get; set; } = 0.3;

    /// <summary>Largest mean distance between detected and expected landmarks, in units of the expected box size.</summary>
    public double MaxMeanDeviation { get; set; } = 0.15;

    /// <summary>Minimum detector score.</summary>
    public double MinScore { get; set; } = 0.3;

    /// <summary>TorchSharp device of the networks.</summary>
    public string Device { get; set; } = "cpu";
}
