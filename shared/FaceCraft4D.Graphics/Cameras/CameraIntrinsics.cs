using System.Text.Json.Serialization;

namespace FaceCraft4D.Graphics.Cameras;

/// <summary>
/// Pinhole intrinsics in pixels. Pixel (i, j) (column i, row j) has its centre at (i + 0.5, j + 0.5);
/// a camera-space point (x, y, z) (OpenCV: x right, y down, z forward) projects to
/// u = fx * x / z + cx, v = fy * y / z + cy.
/// </summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Fx">Focal length along x, pixels.</param>
/// <param name="Fy">Focal length along y, pixels.</param>
/// <param name="Cx">Principal point x, pixels (image centre is Width / 2).</param>
/// <param name="Cy">Principal point y, pixels (image centre is Height / 2).</param>
public sealed record CameraIntrinsics(int Width, int Height, double Fx, double Fy, double Cx, double Cy)
{
    /// <summary>Square-pixel intrinsics with the principal point at the image centre and the given vertical field of view.</summary>
    public static CameraIntrinsics FromVerticalFov(int width, int height, double fovYDegrees)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "Image size must be positive.");
        if (fovYDegrees <= 0 || fovYDegrees >= 180) throw new ArgumentOutOfRangeException(nameof(fovYDegrees));
        double f = 0.5 * height / Math.Tan(0.5 * fovYDegrees * Math.PI / 180.0);
        return new CameraIntrinsics(width, height, f, f, 0.5 * width, 0.5 * height);
    }

    /// <summary>Vertical field of view in degrees.</summary>
    [JsonIgnore]
    public double FovYDegrees => 2.0 * Math.Atan(0.5 * Height / Fy) * 180.0 / Math.PI;

    /// <summary>Horizontal field of view in degrees.</summary>
    [JsonIgnore]
    public double FovXDegrees => 2.0 * Math.Atan(0.5 * Width / Fx) * 180.0 / Math.PI;

    /// <summary>The same camera at another resolution (focal lengths and principal point scale with the size).</summary>
    public CameraIntrinsics Resized(int width, int height)
    {
        double sx = (double)width / Width, sy = (double)height / Height;
        return new CameraIntrinsics(width, height, Fx * sx, Fy * sy, Cx * sx, Cy * sy);
    }

    /// <summary>The 3x3 matrix K, row-major: [fx 0 cx; 0 fy cy; 0 0 1].</summary>
    public double[] ToMatrix() => new[] { Fx, 0, Cx, 0, Fy, Cy, 0, 0, 1.0 };
}
