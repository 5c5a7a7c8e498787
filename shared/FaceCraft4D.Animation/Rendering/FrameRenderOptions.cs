namespace FaceCraft4D.Animation.Rendering;

/// <summary>Settings of <see cref="TexturedHeadRenderer"/> (configuration section <c>Fc4d:Animation:Render</c>).</summary>
public sealed class FrameRenderOptions
{
    /// <summary>Samples per pixel along each axis (2 = 4 samples, box-filtered: anti-aliased edges).</summary>
    public int Supersampling { get; set; } = 2;

    /// <summary>Background grey level (1 = white, like every static view).</summary>
    public float Background { get; set; } = 1f;
}
