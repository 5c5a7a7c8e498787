namespace FaceCraft4D.Vision.Preprocessing.Camera;

/// <summary>Camera model of the estimate.</summary>
public sealed class CameraOptions
{
    /// <summary>
    /// Vertical = horizontal field of view of the square crop. Default 13.37 degrees: the normalised focal
    /// length 4.2647 of the EG3D / PanoHead FFHQ camera, 2 * atan(0.5 / 4.2647).
    /// </summary>
    public double FovDegrees { get; set; } = 13.37;
    /// <summary>Levenberg-Marquardt iterations of the pose fit.</summary>
    public int MaxIterations { get; set; } = 50;
}
