namespace FaceCraft4D.Vision.Rendering;

/// <summary>A weight ramp shared by the image passes that fade a pixel in by a cosine or mask value.</summary>
public static class SmoothRamp
{
    /// <summary>Smooth step from 0 at <paramref name="from"/> to 1 at <paramref name="to"/> (3t^2 - 2t^3, clamped).</summary>
    public static float Of(double value, double from, double to)
    {
        double t = Math.Clamp((value - from) / Math.Max(to - from, 1e-9), 0, 1);
        return (float)(t * t * (3 - 2 * t));
    }
}
