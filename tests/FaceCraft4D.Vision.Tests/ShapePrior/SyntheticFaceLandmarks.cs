namespace FaceCraft4D.Vision.Tests.ShapePrior;

/// <summary>
/// 68 synthetic face landmarks in metres (model frame: +y up, face toward +z), shared by the shape prior's texture tests:
/// the jaw contour 0-16 a half ellipse from the temples (x -+0.07, y 0.02, z 0) to the chin (0, -0.08, 0.08); brows at
/// y 0.05 (x -+0.05), outer eye corners at x -+0.03 (y 0.03), nose at y 0, mouth at y -0.04, all at z 0.09-0.11.
/// </summary>
internal static class SyntheticFaceLandmarks
{
    /// <summary>The 68 points as x, y, z triples [68 * 3].</summary>
    public static float[] Metres()
    {
        var p = new float[68 * 3];
        void Set(int i, double x, double y, double z) { p[3 * i] = (float)x; p[3 * i + 1] = (float)y; p[3 * i + 2] = (float)z; }
        for (int i = 0; i <= 16; i++)
        {
            double a = Math.PI * i / 16;
            Set(i, -0.07 * Math.Cos(a), 0.02 - 0.10 * Math.Sin(a), 0.08 * Math.Sin(a));
        }
        for (int i = 17; i <= 26; i++) Set(i, -0.05 + 0.1 * (i - 17) / 9, 0.05, 0.09);
        for (int i = 27; i <= 35; i++) Set(i, 0, 0.0, 0.11);
        for (int i = 36; i <= 47; i++) Set(i, i < 42 ? -0.03 : 0.03, 0.03, 0.09);
        for (int i = 48; i <= 67; i++) Set(i, -0.025 + 0.05 * ((i - 48) % 12) / 11, -0.04, 0.1);
        return p;
    }
}
