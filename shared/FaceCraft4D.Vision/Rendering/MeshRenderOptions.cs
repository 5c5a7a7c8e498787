using System.Numerics;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>Settings of <see cref="MeshViewRenderer"/>.</summary>
public sealed class MeshRenderOptions
{
    /// <summary>Samples per pixel along each axis for colour and mask (2 = 4 samples per pixel, box-filtered).</summary>
    public int Supersampling { get; set; } = 2;

    /// <summary>Background colour (white, like the preprocessed crop over white).</summary>
    public float BackgroundRed { get; set; } = 1f;

    /// <summary>Background colour, green.</summary>
    public float BackgroundGreen { get; set; } = 1f;

    /// <summary>Background colour, blue.</summary>
    public float BackgroundBlue { get; set; } = 1f;

    /// <summary>Rasterizer settings.</summary>
    public MeshRasterizerOptions Rasterizer { get; set; } = new();

    /// <summary>The background colour as a vector.</summary>
    public Vector3 Background => new(BackgroundRed, BackgroundGreen, BackgroundBlue);
}
