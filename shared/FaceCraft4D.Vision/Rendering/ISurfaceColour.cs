using System.Numerics;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>
/// Colour of a surface point: the shading function the renderers call per pixel (views) or per texel (texture
/// baking). Must be thread-safe (renderers call it in parallel).
/// </summary>
public interface ISurfaceColour
{
    /// <summary>The RGB colour in [0, 1] at world point <paramref name="point"/> with unit outward normal <paramref name="normal"/>.</summary>
    Vector3 Colour(Vector3 point, Vector3 normal);
}
