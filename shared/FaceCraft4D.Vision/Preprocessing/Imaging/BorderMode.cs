namespace FaceCraft4D.Vision.Preprocessing.Imaging;

/// <summary>What a warp reads outside the source image.</summary>
public enum BorderMode
{
    /// <summary>Clamp to the nearest edge pixel.</summary>
    Replicate,
    /// <summary>Pure white (255, 255, 255).</summary>
    White,
}
