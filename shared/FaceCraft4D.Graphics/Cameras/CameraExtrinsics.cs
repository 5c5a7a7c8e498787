using System.Text.Json.Serialization;

namespace FaceCraft4D.Graphics.Cameras;

/// <summary>
/// Camera pose as the world-to-camera rigid transform ("viewmat"), a row-major 4x4 matrix
/// [R t; 0 0 0 1] with x_cam = R x_world + t. Camera axes follow OpenCV: x right, y down, z forward
/// (the viewing direction). The rows of R are the camera's x, y, z axes expressed in world coordinates.
/// </summary>
public sealed record CameraExtrinsics
{
    /// <summary>Creates extrinsics from a row-major 4x4 world-to-camera matrix (16 values).</summary>
    [JsonConstructor]
    public CameraExtrinsics(double[] worldToCamera)
    {
        ArgumentNullException.ThrowIfNull(worldToCamera);
        if (worldToCamera.Length != 16) throw new ArgumentException("World-to-camera matrix needs 16 values (row-major 4x4).", nameof(worldToCamera));
        WorldToCamera = (double[])worldToCamera.Clone();
    }

    /// <summary>Row-major 4x4 world-to-camera matrix.</summary>
    public double[] WorldToCamera { get; }

    /// <summary>The identity pose (camera at the origin looking along +z).</summary>
    public static CameraExtrinsics Identity => new(new double[] { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1 });

    /// <summary>
    /// OpenCV-style look-at: the camera sits at <paramref name="eye"/>, its z axis points at <paramref name="target"/>,
    /// and its y axis (image down) points away from <paramref name="up"/>.
    /// </summary>
    public static CameraExtrinsics LookAt(Vector3d eye, Vector3d target, Vector3d up)
    {
        var z = (target - eye).Normalized();
        var x = z.Cross(up);
        if (x.Length < 1e-9) throw new ArgumentException("Up vector is parallel to the viewing direction.", nameof(up));
        x = x.Normalized();
        var y = z.Cross(x);
        return FromAxes(x, y, z, eye);
    }

    /// <summary>Builds the pose from the camera axes (world coordinates) and the camera centre.</summary>
    public static CameraExtrinsics FromAxes(Vector3d x, Vector3d y, Vector3d z, Vector3d position)
    {
        double tx = -x.Dot(position), ty = -y.Dot(position), tz = -z.Dot(position);
        return new CameraExtrinsics(new[]
        {
            x.X, x.Y, x.Z, tx,
            y.X, y.Y, y.Z, ty,
            z.X, z.Y, z.Z, tz,
            0, 0, 0, 1.0,
        });
    }

    /// <summary>Camera x axis (image right) in world coordinates.</summary>
    [JsonIgnore] public Vector3d Right => new(WorldToCamera[0], WorldToCamera[1], WorldToCamera[2]);

    /// <summary>Camera y axis (image down) in world coordinates.</summary>
    [JsonIgnore] public Vector3d Down => new(WorldToCamera[4], WorldToCamera[5], WorldToCamera[6]);

    /// <summary>Camera z axis (viewing direction) in world coordinates.</summary>
    [JsonIgnore] public Vector3d Forward => new(WorldToCamera[8], WorldToCamera[9], WorldToCamera[10]);

    /// <summary>Camera centre in world coordinates (-R^T t).</summary>
    [JsonIgnore]
    public Vector3d Position
    {
        get
        {
            var t = new Vector3d(WorldToCamera[3], WorldToCamera[7], WorldToCamera[11]);
            return -(Right * t.X + Down * t.Y + Forward * t.Z);
        }
    }

    /// <summary>Transforms a world point into camera coordinates.</summary>
    public Vector3d ToCamera(Vector3d p)
    {
        var m = WorldToCamera;
        return new Vector3d(
            m[0] * p.X + m[1] * p.Y + m[2] * p.Z + m[3],
            m[4] * p.X + m[5] * p.Y + m[6] * p.Z + m[7],
            m[8] * p.X + m[9] * p.Y + m[10] * p.Z + m[11]);
    }

    /// <summary>The camera-to-world matrix (inverse rigid transform), row-major 4x4.</summary>
    public double[] CameraToWorld()
    {
        var m = WorldToCamera;
        var c = Position;
        return new[]
        {
            m[0], m[4], m[8], c.X,
            m[1], m[5], m[9], c.Y,
            m[2], m[6], m[10], c.Z,
            0, 0, 0, 1.0,
        };
    }
}
