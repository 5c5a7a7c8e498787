using System.Numerics;

namespace FaceCraft4D.Animation.Rendering;

/// <summary>Procedural colours of the mouth interior (sRGB values in [0, 1]); each blends from the front colour at depth 0 to the back colour at depth 1.</summary>
public sealed class MouthPalette
{
    /// <summary>Teeth at the biting edge.</summary>
    public float[] TeethFront { get; set; } = [0.93f, 0.91f, 0.85f];

    /// <summary>Teeth toward the back.</summary>
    public float[] TeethBack { get; set; } = [0.55f, 0.5f, 0.45f];

    /// <summary>Cavity wall just behind the lips.</summary>
    public float[] WallFront { get; set; } = [0.5f, 0.18f, 0.18f];

    /// <summary>Cavity wall at the back.</summary>
    public float[] WallBack { get; set; } = [0.1f, 0.02f, 0.03f];

    /// <summary>Tongue at the front.</summary>
    public float[] TongueFront { get; set; } = [0.75f, 0.38f, 0.38f];

    /// <summary>Tongue at the back.</summary>
    public float[] TongueBack { get; set; } = [0.35f, 0.12f, 0.12f];

    internal static Vector3 Blend(float[] front, float[] back, float depth)
    {
        float t = Math.Clamp(depth, 0f, 1f);
        return new Vector3(front[0] + (back[0] - front[0]) * t, front[1] + (back[1] - front[1]) * t, front[2] + (back[2] - front[2]) * t);
    }
}
