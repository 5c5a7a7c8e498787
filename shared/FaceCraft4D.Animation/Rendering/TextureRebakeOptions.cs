namespace FaceCraft4D.Animation.Rendering;

/// <summary>Settings of <see cref="MultiViewTextureBaker"/> (configuration section <c>Fc4d:Animation:Texture</c>).</summary>
public sealed class TextureRebakeOptions
{
    /// <summary>Priority of the source view's own enhanced image (the view the video is rendered from).</summary>
    public float SourcePriority { get; set; } = 4f;

    /// <summary>Priority of the reference portrait (the crop over white, at crop resolution).</summary>
    public float ReferencePriority { get; set; } = 1f;

    /// <summary>Priority of the enhanced back view.</summary>
    public float BackPriority { get; set; } = 1f;

    /// <summary>Weight of the shape prior's texture where observations exist (it fills everything unseen).</summary>
    public float PriorWeight { get; set; } = 0.05f;

    /// <summary>Facing cosine (normal vs direction to the camera) below which an observation does not count.</summary>
    public double FacingMin { get; set; } = 0.15;

    /// <summary>Facing cosine from which an observation counts fully.</summary>
    public double FacingFull { get; set; } = 0.6;

    /// <summary>How far (metres) behind the observation's z-buffer a point may lie and still count as seen.</summary>
    public double DepthTolerance { get; set; } = 0.004;

    /// <summary>Texels the baked charts are grown by (bilinear lookups at seams).</summary>
    public int Dilation { get; set; } = 3;
}
