namespace FaceCraft4D.Animation.Performance;

/// <summary>Axis-angle rotations (radians) and row-major 3x3 matrices in double precision (Rodrigues).</summary>
public static class AxisAngle
{
    /// <summary>Rotation matrix [9] of an axis-angle vector [3].</summary>
    public static double[] ToMatrix(IReadOnlyList<float> r)
    {
        ArgumentNullException.ThrowIfNull(r);
        double x = r[0], y = r[1], z = r[2];
        double angle = Math.Sqrt(x * x + y * y + z * z);
        if (angle < 1e-12) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
        x /= angle; y /= angle; z /= angle;
        double c = Math.Cos(angle), s = Math.Sin(angle), t = 1 - c;
        return
        [
            t * x * x + c, t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, t * y * y + c, t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, t * z * z + c,
        ];
    }

    /// <summary>Axis-angle vector [3] of a rotation matrix [9] (angle in [0, pi]).</summary>
    public static float[] FromMatrix(IReadOnlyList<double> m)
    {
        ArgumentNullException.ThrowIfNull(m);
        double cos = Math.Clamp((m[0] + m[4] + m[8] - 1) / 2, -1, 1);
        double angle = Math.Acos(cos);
        if (angle < 1e-9) return [(float)((m[7] - m[5]) / 2), (float)((m[2] - m[6]) / 2), (float)((m[3] - m[1]) / 2)];
        double x = m[7] - m[5], y = m[2] - m[6], z = m[3] - m[1];
        double norm = Math.Sqrt(x * x + y * y + z * z);
        if (norm < 1e-9)
        {
            // angle ~ pi: axis from the diagonal.
            x = Math.Sqrt(Math.Max(0, (m[0] + 1) / 2)); y = Math.Sqrt(Math.Max(0, (m[4] + 1) / 2)); z = Math.Sqrt(Math.Max(0, (m[8] + 1) / 2));
            if (m[1] < 0) y = -y;
            if (m[2] < 0) z = -z;
            norm = Math.Sqrt(x * x + y * y + z * z);
        }
        return [(float)(angle * x / norm), (float)(angle * y / norm), (float)(angle * z / norm)];
    }

    /// <summary>a b (row-major 3x3).</summary>
    public static double[] Multiply(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var r = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                r[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
        return r;
    }

    /// <summary>The transpose (inverse of a rotation).</summary>
    public static double[] Transpose(IReadOnlyList<double> m) => [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}
