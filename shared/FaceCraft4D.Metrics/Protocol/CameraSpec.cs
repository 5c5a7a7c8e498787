namespace FaceCraft4D.Metrics.Protocol;

/// <summary>
/// What the renderer callback must render: a camera orbiting the head at the avatar's usual distance, looking at the
/// head centre, square image of <see cref="ImageSize"/> pixels, and optionally a FLAME expression.
/// Angles (head space of FLAME: +y up, the face looks toward +z, +x is the subject's left):
/// <see cref="YawDegrees"/> is the camera azimuth about +y, 0 = in front of the face, positive = camera moved toward
/// +x, i.e. the subject's LEFT cheek turns toward the camera (the nose points to the image's left);
/// <see cref="PitchDegrees"/> is the camera elevation, positive = camera above the head looking down.
/// </summary>
/// <param name="ViewName">Protocol name, e.g. <c>left-frontal</c> or <c>anim:jaw-open:frontal:003</c>.</param>
public sealed record CameraSpec(string ViewName, double YawDegrees, double PitchDegrees, int ImageSize, FlameExpression? Expression = null)
{
    /// <summary>
    /// The camera that sees the head as the preprocessing stage measured it in the photo. Its head pose uses
    /// "yaw &gt; 0: nose toward the image's right, pitch &gt; 0: chin up"; the equivalent camera has the opposite angles.
    /// </summary>
    public static CameraSpec FromHeadPose(string viewName, double headYawDegrees, double headPitchDegrees, int imageSize) =>
        new(viewName, -headYawDegrees, -headPitchDegrees, imageSize);
}
