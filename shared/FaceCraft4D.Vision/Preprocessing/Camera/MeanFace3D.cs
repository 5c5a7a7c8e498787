namespace FaceCraft4D.Vision.Preprocessing.Camera;

/// <summary>
/// Generic 3D positions of the 68 iBUG landmarks on an average adult head, in millimetres.
/// Frame: origin at the nose tip (landmark 30), x towards the image right of a frontal photo (the subject's
/// left), y up, z towards the camera.
///
/// Source: authored for this project (not copied from any data set). Frontal x/y positions follow average
/// adult proportions (eye centres 64 mm apart, eye-fissure width 26 mm, mouth width 50 mm, nasion to menton
/// about 115 mm, bizygomatic width about 140 mm) and depths follow the widely used 6-point generic head model
/// of head-pose tutorials scaled to millimetres (eye corners about 30 mm and mouth corners about 28 mm behind
/// the nose tip, chin about 15 mm behind); the jaw contour is a half-ellipse that recedes to about 90 mm
/// behind the nose tip at ear level. It is a template for coarse yaw/pitch/roll, not a person's shape.
/// </summary>
public static class MeanFace3D
{
    public static IReadOnlyList<(double X, double Y, double Z)> Points { get; } = Build();

    /// <summary>Relative weight of each point in pose fitting: jaw contour points are silhouette-dependent, so 0.5.</summary>
    public static double Weight(int index) => index <= 16 ? 0.5 : 1.0;

    private static (double, double, double)[] Build()
    {
        var p = new (double X, double Y, double Z)[68];
        // Jaw 0..16: from the subject's right ear level, through the chin (8), to the left.
        for (int k = 0; k <= 16; k++)
        {
            double t = Math.PI * k / 16 - Math.PI / 2; // -90 .. 90 degrees
            double s = Math.Sin(t), c = Math.Cos(t);
            p[k] = (70 * s, 22 - 100 * Math.Pow(c, 1.2), -16 - 74 * s * s);
        }
        // Brows: 17..21 subject's right (image left), outer to inner; 22..26 mirrored, inner to outer.
        double[] browX = { -55, -45, -33, -21, -10 }, browY = { 47, 52, 54, 53, 50 }, browZ = { -40, -30, -24, -21, -20 };
        for (int i = 0; i < 5; i++)
        {
            p[17 + i] = (browX[i], browY[i], browZ[i]);
            p[26 - i] = (-browX[i], browY[i], browZ[i]);
        }
        // Nose bridge 27..30 (30 = tip), nostrils 31..35.
        p[27] = (0, 38, -28); p[28] = (0, 26, -19); p[29] = (0, 13, -10); p[30] = (0, 0, 0);
        double[] nosX = { -14, -7, 0, 7, 14 }, nosZ = { -16, -11, -8, -11, -16 };
        for (int i = 0; i < 5; i++) p[31 + i] = (nosX[i], -11 + (i == 2 ? -2 : 0), nosZ[i]);
        // Eyes: right eye 36..41 (outer corner, upper lid x2, inner corner, lower lid x2), centre x = -32, y = 36.
        (double dx, double dy, double dz)[] eye = { (-13, 0, -32), (-5, 4, -27), (5, 4, -26), (13, 0, -28), (5, -3, -27), (-5, -3, -28) };
        for (int i = 0; i < 6; i++) p[36 + i] = (-32 + eye[i].dx, 36 + eye[i].dy, eye[i].dz);
        // Left eye 42..47: inner corner, upper lid x2, outer corner, lower lid x2 (mirror of the right eye).
        int[] mirror = { 3, 2, 1, 0, 5, 4 };
        for (int i = 0; i < 6; i++) { var e = eye[mirror[i]]; p[42 + i] = (32 - e.dx, 36 + e.dy, e.dz); }
        // Outer lips 48..59 (48 right corner, 51 top centre, 54 left corner, 57 bottom centre).
        (double x, double y, double z)[] outer =
        {
            (-25, -33, -28), (-15, -28, -21), (-6, -25, -17), (0, -26, -16), (6, -25, -17), (15, -28, -21),
            (25, -33, -28), (15, -39, -22), (6, -42, -18), (0, -43, -17), (-6, -42, -18), (-15, -39, -22),
        };
        for (int i = 0; i < 12; i++) p[48 + i] = outer[i];
        // Inner lips 60..67 (60 right corner, 62 top centre, 64 left corner, 66 bottom centre).
        (double x, double y, double z)[] inner =
        {
            (-21, -33, -26), (-7, -31, -19), (0, -31, -18), (7, -31, -19),
            (21, -33, -26), (7, -35, -19), (0, -35, -18), (-7, -35, -19),
        };
        for (int i = 0; i < 8; i++) p[60 + i] = inner[i];
        return p;
    }
}
