namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// The seam of the image prior (paper 3.2, supp. 6.2): turns a coarse shape-prior view plus the warped anchors
/// into the final view. <see cref="WarpBlendViewEnhancer"/> (<c>warp</c>) needs no weights; a diffusion backend
/// (DDIM inversion of reference and coarse view, cross-view mutual attention, latent copy-paste of the warped
/// anchors under <see cref="WarpedView.LatentMask"/>) plugs in here when its weights are present.
/// </summary>
public interface IViewEnhancer
{
    /// <summary>Backend name recorded with the outputs.</summary>
    string Name { get; }

    /// <summary>Enhances one view.</summary>
    Task<EnhancedView> EnhanceAsync(ViewEnhancementInput input, CancellationToken cancellationToken);
}
