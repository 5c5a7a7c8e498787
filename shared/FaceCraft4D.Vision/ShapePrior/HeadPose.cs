using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Vision.ShapePrior;

/// <summary>
/// The rigid pose of a head (FLAME frame: +y up, face toward +z, metres) in front of an OpenCV camera, with the
/// preprocessing's angle convention (<see cref="Preprocessing.Camera.CameraEstimate"/>): the head is rotated by
/// M = roll * pitch * yaw in its own frame (yaw &gt; 0 turns the nose to the image right, pitch &gt; 0 lifts the nose,
/// roll &gt; 0 turns the face clockwise on screen), then the model axes (y up, z toward the camera) are flipped to
/// the camera axes (y down, z forward) by D = diag(1, -1, -1) and translated: x_cam = D M x_head + t.
/// </summary>
/// <param name="Rotation">M, row-major 3x3.</param>
/// <param name="Translation">t in metres (camera coordinates of the head frame's origin).</param>
public sealed record HeadPose(double[] Rotation, double[] Translation)
{
    /// <summary>M from yaw, pitch and roll in radians.</summary>
    public static double[] RotationFromAngles(double yaw, double pitch, double roll)
    {
        double cy = Math.Cos(yaw), sy = Math.Sin(yaw), cp = Math.Cos(pitch), sp = Math.Sin(pitch), cr = Math.Cos(roll), sr = Math.Sin(roll);
        double[] ry = { cy, 0, sy, 0, 1, 0, -sy, 0, cy };
        double[] rp = { 1, 0, 0, 0, cp, sp, 0, -sp, cp };
        double[] rr = { cr, sr, 0, -sr, cr, 0, 0, 0, 1 };
        return Multiply(rr, Multiply(rp, ry));
    }

    /// <summary>Yaw, pitch, roll in degrees of this pose's rotation.</summary>
    public (double Yaw, double Pitch, double Roll) AnglesDegrees()
    {
        var m = Rotation;
        double pitch = Math.Asin(Math.Clamp(-m[7], -1, 1));
        double yaw = Math.Atan2(-m[6], m[8]);
        double roll = Math.Atan2(m[1], m[4]);
        return (yaw * 180 / Math.PI, pitch * 180 / Math.PI, roll * 180 / Math.PI);
    }

    /// <summary>M from an axis-angle vector (Rodrigues).</summary>
    public static double[] RotationFromAxisAngle(double x, double y, double z)
    {
        double a = Math.Sqrt(x * x + y * y + z * z);
        if (a < 1e-12) return new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        double kx = x / a, ky = y / a, kz = z / a, c = Math.Cos(a), s = Math.Sin(a), v = 1 - c;
        return new[]
        {
            c + kx * kx * v, kx * ky * v - kz * s, kx * kz * v + ky * s,
            ky * kx * v + kz * s, c + ky * ky * v, ky * kz * v - kx * s,
            kz * kx * v - ky * s, kz * ky * v + kx * s, c + kz * kz * v,
        };
    }

    /// <summary>The axis-angle vector of a rotation matrix (angle in [0, pi]).</summary>
    public static double[] AxisAngleFromRotation(double[] m)
    {
        double cos = Math.Clamp((m[0] + m[4] + m[8] - 1) / 2, -1, 1);
        double angle = Math.Acos(cos);
        if (angle < 1e-9) return new double[3];
        if (Math.PI - angle < 1e-6)
        {
            // Near 180 degrees: the axis from the diagonal.
            double ax = Math.Sqrt(Math.Max(0, (m[0] + 1) / 2)), ay = Math.Sqrt(Math.Max(0, (m[4] + 1) / 2)), az = Math.Sqrt(Math.Max(0, (m[8] + 1) / 2));
            if (m[1] < 0) ay = -ay;
            if (m[2] < 0) az = -az;
            return new[] { ax * angle, ay * angle, az * angle };
        }
        double s = 2 * Math.Sin(angle);
        return new[] { (m[7] - m[5]) / s * angle, (m[2] - m[6]) / s * angle, (m[3] - m[1]) / s * angle };
    }

    /// <summary>The world (head frame) to camera transform of this pose.</summary>
    public CameraExtrinsics ToExtrinsics()
    {
        var m = Rotation;
        var t = Translation;
        return new CameraExtrinsics(new[]
        {
            m[0], m[1], m[2], t[0],
            -m[3], -m[4], -m[5], t[1],
            -m[6], -m[7], -m[8], t[2],
            0, 0, 0, 1.0,
        });
    }

    /// <summary>The pose whose extrinsics are <paramref name="extrinsics"/> (inverse of <see cref="ToExtrinsics"/>).</summary>
    public static HeadPose FromExtrinsics(CameraExtrinsics extrinsics)
    {
        var w = extrinsics.WorldToCamera;
        return new HeadPose(
            new[] { w[0], w[1], w[2], -w[4], -w[5], -w[6], -w[8], -w[9], -w[10] },
            new[] { w[3], w[7], w[11] });
    }

    /// <summary>3x3 row-major product a * b.</summary>
    public static double[] Multiply(double[] a, double[] b)
    {
        var r = new double[9];
        for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            r[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
        return r;
    }
}
