namespace FaceCraft4D.Graphics.Cameras;

/// <summary>A double-precision 3D vector for camera and geometry set-up code (not for per-Gaussian work).</summary>
public readonly record struct Vector3d(double X, double Y, double Z)
{
    /// <summary>The zero vector.</summary>
    public static Vector3d Zero => new(0, 0, 0);

    /// <summary>World up in this project's head convention (+y).</summary>
    public static Vector3d UnitY => new(0, 1, 0);

    /// <summary>Component-wise sum.</summary>
    public static Vector3d operator +(Vector3d a, Vector3d b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    /// <summary>Component-wise difference.</summary>
    public static Vector3d operator -(Vector3d a, Vector3d b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    /// <summary>Negation.</summary>
    public static Vector3d operator -(Vector3d a) => new(-a.X, -a.Y, -a.Z);

    /// <summary>Scaling.</summary>
    public static Vector3d operator *(Vector3d a, double s) => new(a.X * s, a.Y * s, a.Z * s);

    /// <summary>Scaling.</summary>
    public static Vector3d operator *(double s, Vector3d a) => a * s;

    /// <summary>Dot product.</summary>
    public double Dot(Vector3d b) => X * b.X + Y * b.Y + Z * b.Z;

    /// <summary>Cross product (right-handed).</summary>
    public Vector3d Cross(Vector3d b) => new(Y * b.Z - Z * b.Y, Z * b.X - X * b.Z, X * b.Y - Y * b.X);

    /// <summary>Euclidean length.</summary>
    public double Length => Math.Sqrt(Dot(this));

    /// <summary>Unit vector in the same direction; throws for a (near) zero vector.</summary>
    public Vector3d Normalized()
    {
        double l = Length;
        if (l < 1e-12) throw new InvalidOperationException("Cannot normalise a zero-length vector.");
        return this * (1.0 / l);
    }

    /// <summary>The components as an array [x, y, z].</summary>
    public double[] ToArray() => new[] { X, Y, Z };
}
