namespace FaceCraft4D.Graphics.Cameras;

/// <summary>
/// Settings of the horizontal orbit used by the pipeline (bindable from configuration).
/// View k has yaw = <see cref="StartYawDegrees"/> + k * 360 / <see cref="ViewCount"/>; the camera sits at
/// target + radius * (sin(yaw) cos(elev), sin(elev), cos(yaw) cos(elev)), looks at the target with world up +y.
/// Yaw 0 is the frontal reference view (camera on +z, facing the face); positive yaw moves the camera
/// toward +x (the subject's left), i.e. counter-clockwise seen from above.
/// </summary>
public sealed class OrbitCameraOptions
{
    /// <summary>Number of views around the head (pipeline: 24).</summary>
    public int ViewCount { get; set; } = 24;

    /// <summary>Distance from the target in world units (metres for FLAME).</summary>
    public double Radius { get; set; } = 1.0;

    /// <summary>Vertical field of view in degrees.</summary>
    public double FovYDegrees { get; set; } = 14.0;

    /// <summary>Image width in pixels.</summary>
    public int Width { get; set; } = 512;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; set; } = 512;

    /// <summary>Elevation of every view above the horizon, degrees.</summary>
    public double ElevationDegrees { get; set; }

    /// <summary>Yaw of view 0, degrees (0 = frontal).</summary>
    public double StartYawDegrees { get; set; }

    /// <summary>Look-at target x (world).</summary>
    public double TargetX { get; set; }

    /// <summary>Look-at target y (world).</summary>
    public double TargetY { get; set; }

    /// <summary>Look-at target z (world).</summary>
    public double TargetZ { get; set; }
}
