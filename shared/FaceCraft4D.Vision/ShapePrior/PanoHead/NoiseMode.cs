namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>Per-pixel noise of the StyleGAN2 synthesis layers.</summary>
public enum NoiseMode
{
    /// <summary>Fresh Gaussian noise every call.</summary>
    Random,

    /// <summary>The layer's stored <c>noise_const</c> buffer (deterministic; used for inversion and rendering).</summary>
    Const,

    /// <summary>No noise.</summary>
    None,
}
