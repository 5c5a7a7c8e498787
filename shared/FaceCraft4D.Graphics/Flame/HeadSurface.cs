namespace FaceCraft4D.Graphics.Flame;

/// <summary>
/// The parametric surface of the procedural head: an ellipsoid (+y up, face toward +z) displaced along its normal by
/// smooth facial features. Parameters are the polar angle theta from the crown (degrees) and the azimuth phi (degrees,
/// 0 at the front, positive toward +x = the subject's left).
/// </summary>
internal static class HeadSurface
{
    public static readonly (double X, double Y, double Z) Centre = (0.0, 0.01, -0.005);
    public const double RadiusX = 0.077, RadiusY = 0.115, RadiusZ = 0.097;

    /// <summary>Mouth line (slit row), eye centre latitude and eye azimuth.</summary>
    public const double MouthTheta = 115.0, EyeTheta = 81.0, EyeAzimuth = 30.0;

    // theta0, phi0, sigma theta, sigma phi, amplitude (m); symmetric ones are mirrored in phi.
    private static readonly (double T, double P, double ST, double SP, double A, bool Mirror)[] Features =
    {
        (99, 0, 4.5, 6, 0.022, false),   // nose tip
        (91, 0, 5, 4.5, 0.012, false),   // nose middle
        (84, 0, 4, 3.5, 0.005, false),   // nose bridge
        (101, 7, 3, 4, 0.006, true),     // nostril wings
        (81, 30, 5, 8, -0.009, true),    // eye sockets
        (73, 24, 4, 12, 0.005, true),    // brow ridges
        (74, 0, 4, 8, 0.003, false),     // glabella
        (94, 40, 7, 10, 0.006, true),    // cheekbones
        (111, 0, 3, 11, 0.006, false),   // upper lip
        (119, 0, 3, 10, 0.006, false),   // lower lip
        (131, 0, 6, 12, 0.014, false),   // chin
        (122, 60, 10, 12, 0.004, true),  // jaw angles
        (93, 90, 9, 4, 0.014, true),     // ears
        (60, 0, 15, 30, 0.004, false),   // forehead
    };

    public static double Rad(double degrees) => degrees * Math.PI / 180.0;

    public static double Gauss(double theta, double phi, double t0, double p0, double st, double sp)
    {
        double a = (theta - t0) / st, b = (phi - p0) / sp;
        return Math.Exp(-0.5 * (a * a + b * b));
    }

    public static double SmoothStep(double x, double e0, double e1)
    {
        double t = Math.Clamp((x - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    public static (double X, double Y, double Z) Base(double theta, double phi)
    {
        double st = Math.Sin(Rad(theta)), ct = Math.Cos(Rad(theta)), sp = Math.Sin(Rad(phi)), cp = Math.Cos(Rad(phi));
        return (Centre.X + RadiusX * st * sp, Centre.Y + RadiusY * ct, Centre.Z + RadiusZ * st * cp);
    }

    /// <summary>Outward normal of the base ellipsoid.</summary>
    public static (double X, double Y, double Z) Normal(double theta, double phi)
    {
        var p = Base(theta, phi);
        double x = (p.X - Centre.X) / (RadiusX * RadiusX), y = (p.Y - Centre.Y) / (RadiusY * RadiusY), z = (p.Z - Centre.Z) / (RadiusZ * RadiusZ);
        double l = Math.Sqrt(x * x + y * y + z * z);
        return l < 1e-12 ? (0, 1, 0) : (x / l, y / l, z / l);
    }

    public static double FeatureHeight(double theta, double phi)
    {
        double h = 0;
        foreach (var f in Features)
        {
            h += f.A * Gauss(theta, phi, f.T, f.P, f.ST, f.SP);
            if (f.Mirror) h += f.A * Gauss(theta, phi, f.T, -f.P, f.ST, f.SP);
        }
        return h;
    }

    public static (double X, double Y, double Z) Position(double theta, double phi)
    {
        var b = Base(theta, phi);
        var n = Normal(theta, phi);
        double h = FeatureHeight(theta, phi);
        return (b.X + n.X * h, b.Y + n.Y * h, b.Z + n.Z * h);
    }
}
