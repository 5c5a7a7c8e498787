namespace FaceCraft4D.Vision.Preprocessing.Camera;

/// <summary>
/// Pinhole camera for the aligned crop and the head pose seen through it.
/// Conventions: yaw &gt; 0 turns the nose towards the image right; pitch &gt; 0 lifts the nose (chin up);
/// roll &gt; 0 rotates the face clockwise on screen (the image-right eye lower). Translation is the head
/// origin (nose tip of the generic face) in camera coordinates (x right, y down, z forward), millimetres.
/// </summary>
public sealed record CameraEstimate(
    double FovDegrees,
    double FocalLengthPixels,
    double PrincipalPointX,
    double PrincipalPointY,
    int ImageWidth,
    int ImageHeight,
    double YawDegrees,
    double PitchDegrees,
    double RollDegrees,
    double TranslationX,
    double TranslationY,
    double TranslationZ,
    double ReprojectionRmsPixels,
    string Backend);
