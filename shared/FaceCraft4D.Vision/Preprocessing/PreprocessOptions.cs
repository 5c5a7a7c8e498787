using FaceCraft4D.Vision.Preprocessing.Alignment;
using FaceCraft4D.Vision.Preprocessing.Camera;
using FaceCraft4D.Vision.Preprocessing.Detection;
using FaceCraft4D.Vision.Preprocessing.FaceMesh;
using FaceCraft4D.Vision.Preprocessing.Matting;

namespace FaceCraft4D.Vision.Preprocessing;

public enum FaceDetectorBackend { TinyFaceDetector }
public enum LandmarkBackend { FaceLandmark68, FaceLandmark68Tiny }
/// <summary>Auto: the learned selfie segmentation when its weights are found, else GrabCut.</summary>
public enum MattingBackend { GrabCut, SelfieSegmentation, Auto }

/// <summary>
/// Options of stage 1 (bind from configuration section "Preprocess"). Read once by
/// <see cref="PortraitPreprocessorFactory"/> when it builds the backends: FaceModelsPath, Detector, Landmarks,
/// Matting, Device, TinyFaceDetector, MattingSettings. Read on every call: MinFaceSizePixels, TryRotations,
/// the rotation limits, ApplyExifOrientation, Alignment and Camera.
/// </summary>
public sealed class PreprocessOptions
{
    /// <summary>
    /// Folder with the face-api.js tfjs models. Null: the env var FC4D_FACE_MODELS, else
    /// infra/node/node_modules/@vladmandic/face-api/model found above the working or app directory.
    /// </summary>
    public string? FaceModelsPath { get; set; }
    public FaceDetectorBackend Detector { get; set; } = FaceDetectorBackend.TinyFaceDetector;
    public LandmarkBackend Landmarks { get; set; } = LandmarkBackend.FaceLandmark68;
    public MattingBackend Matting { get; set; } = MattingBackend.Auto;
    /// <summary>TorchSharp device for the networks ("cpu", "cuda", "cuda:0").</summary>
    public string Device { get; set; } = "cpu";

    public TinyFaceDetectorOptions TinyFaceDetector { get; set; } = new();
    /// <summary>Faces whose box side (photo pixels) is smaller fail with FaceTooSmall.</summary>
    public int MinFaceSizePixels { get; set; } = 64;
    /// <summary>When no upright face is found, also try the photo turned by 90, 270 and 180 degrees.</summary>
    public bool TryRotations { get; set; } = true;
    /// <summary>Turn the photo upright according to its EXIF orientation tag first (phone photos), with a warning.</summary>
    public bool ApplyExifOrientation { get; set; } = true;
    /// <summary>Largest accepted in-plane tilt of the eye line in the photo (after any 90-degree turn).</summary>
    public double MaxRollDegrees { get; set; } = 50;
    /// <summary>Largest accepted head yaw / pitch of the camera estimate.</summary>
    public double MaxYawDegrees { get; set; } = 60;
    public double MaxPitchDegrees { get; set; } = 45;

    public AlignmentOptions Alignment { get; set; } = new();
    /// <summary>ESRGAN super-resolution of the photo where the aligned crop enlarges it.</summary>
    public SuperResolution.SuperResolutionOptions SuperResolution { get; set; } = new();
    public CameraOptions Camera { get; set; } = new();
    public MattingOptions MattingSettings { get; set; } = new();
    /// <summary>Dense MediaPipe FaceMesh landmarks (Enabled, Variant, ModelsPath, Passes are read by the factory).</summary>
    public FaceMeshOptions FaceMesh { get; set; } = new();
}
