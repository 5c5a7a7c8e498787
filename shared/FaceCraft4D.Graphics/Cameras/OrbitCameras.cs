namespace FaceCraft4D.Graphics.Cameras;

/// <summary>Generates the horizontal orbit of cameras described by <see cref="OrbitCameraOptions"/>.</summary>
public static class OrbitCameras
{
    /// <summary>All views of the orbit, view 0 first (names "orbit_00", "orbit_01", ...).</summary>
    public static IReadOnlyList<Camera> Create(OrbitCameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ViewCount <= 0) throw new ArgumentOutOfRangeException(nameof(options), "ViewCount must be positive.");
        var list = new List<Camera>(options.ViewCount);
        for (int k = 0; k < options.ViewCount; k++)
            list.Add(CreateAtYaw(options, options.StartYawDegrees + k * 360.0 / options.ViewCount, $"orbit_{k:D2}"));
        return list;
    }

    /// <summary>One orbit camera at an arbitrary yaw (degrees), with the orbit's radius, elevation, target and intrinsics.</summary>
    public static Camera CreateAtYaw(OrbitCameraOptions options, double yawDegrees, string? name = null)
    {
        double yaw = yawDegrees * Math.PI / 180.0, elev = options.ElevationDegrees * Math.PI / 180.0;
        var target = new Vector3d(options.TargetX, options.TargetY, options.TargetZ);
        var eye = target + new Vector3d(Math.Sin(yaw) * Math.Cos(elev), Math.Sin(elev), Math.Cos(yaw) * Math.Cos(elev)) * options.Radius;
        var intr = CameraIntrinsics.FromVerticalFov(options.Width, options.Height, options.FovYDegrees);
        return Camera.LookAt(intr, eye, target, Vector3d.UnitY, name);
    }
}
