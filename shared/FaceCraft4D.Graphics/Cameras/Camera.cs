using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Cameras;

/// <summary>
/// A pinhole camera: intrinsics plus the world-to-camera pose, with an optional name.
/// Convention (used everywhere in FaceCraft4D.Graphics): OpenCV camera (x right, y down, z forward),
/// world-to-camera "viewmat" (row-major 4x4), pixel centres at (i + 0.5, j + 0.5).
/// World space of a head: +y up, the face looks toward +z, +x is the subject's left (FLAME).
/// </summary>
/// <param name="Intrinsics">Pinhole intrinsics.</param>
/// <param name="Extrinsics">World-to-camera pose.</param>
/// <param name="Name">Optional identifier (for example "orbit_07").</param>
public sealed record Camera(CameraIntrinsics Intrinsics, CameraExtrinsics Extrinsics, string? Name = null)
{
    /// <summary>Image width in pixels.</summary>
    [JsonIgnore] public int Width => Intrinsics.Width;

    /// <summary>Image height in pixels.</summary>
    [JsonIgnore] public int Height => Intrinsics.Height;

    /// <summary>Camera centre in world coordinates.</summary>
    [JsonIgnore] public Vector3d Position => Extrinsics.Position;

    /// <summary>A camera at <paramref name="eye"/> looking at <paramref name="target"/> (see <see cref="CameraExtrinsics.LookAt"/>).</summary>
    public static Camera LookAt(CameraIntrinsics intrinsics, Vector3d eye, Vector3d target, Vector3d up, string? name = null)
        => new(intrinsics, CameraExtrinsics.LookAt(eye, target, up), name);

    /// <summary>Projects a world point: pixel coordinates (u, v) and camera depth z.</summary>
    public (double U, double V, double Depth) Project(Vector3d world)
    {
        var c = Extrinsics.ToCamera(world);
        return (Intrinsics.Fx * c.X / c.Z + Intrinsics.Cx, Intrinsics.Fy * c.Y / c.Z + Intrinsics.Cy, c.Z);
    }

    /// <summary>The same pose at another resolution.</summary>
    public Camera Resized(int width, int height) => this with { Intrinsics = Intrinsics.Resized(width, height) };

    /// <summary>World-to-camera matrix as a tensor [4, 4].</summary>
    public Tensor ViewMatrixTensor(Device? device = null, ScalarType dtype = ScalarType.Float32)
        => torch.tensor(Extrinsics.WorldToCamera, new long[] { 4, 4 }, dtype, device);

    /// <summary>Intrinsic matrix K as a tensor [3, 3].</summary>
    public Tensor IntrinsicsTensor(Device? device = null, ScalarType dtype = ScalarType.Float32)
        => torch.tensor(Intrinsics.ToMatrix(), new long[] { 3, 3 }, dtype, device);

    /// <summary>Camera centre as a tensor [3].</summary>
    public Tensor PositionTensor(Device? device = null, ScalarType dtype = ScalarType.Float32)
        => torch.tensor(Position.ToArray(), new long[] { 3 }, dtype, device);
}
