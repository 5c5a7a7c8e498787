namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>The upstream super-resolution modules the port has (<c>rendering_kwargs.superresolution_module</c>).</summary>
public enum SuperResolutionKind
{
    /// <summary><c>training.superresolution.SuperresolutionHybrid8XDC</c>: two 2x blocks (official 128 -> 512).</summary>
    Hybrid8XDC,

    /// <summary><c>training.superresolution.SuperresolutionHybrid2X</c>: a same-size block then a 2x block (64 -> 128).</summary>
    Hybrid2X,
}
