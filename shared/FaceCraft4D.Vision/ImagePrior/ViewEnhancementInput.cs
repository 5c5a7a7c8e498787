using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// Everything an image-prior backend gets for one target view (paper 3.2): the reference portrait (the source of
/// cross-view mutual attention), the coarse target view and its depth from the shape prior, and the anchors
/// warped into the target (the copy-paste signal) with their soft and latent-resolution masks.
/// </summary>
/// <param name="ViewIndex">Index of the target on the orbit.</param>
/// <param name="Reference">The reference anchor (view 0: the preprocessed portrait over white at render size).</param>
/// <param name="Anchors">All anchors used for the warp (reference, and the back view for the other views).</param>
/// <param name="TargetCamera">The target view's camera.</param>
/// <param name="Coarse">The shape prior's render of the target view.</param>
/// <param name="CoarseDepth">The shape prior's depth of the target view.</param>
/// <param name="CoarseMask">The shape prior's coverage mask of the target view.</param>
/// <param name="Warped">The anchors warped into the target view.</param>
/// <param name="DiffusionSteps">DDIM steps (paper: 25).</param>
/// <param name="DiffusionStrength">Fraction of the schedule re-noised (paper: 0.4).</param>
/// <param name="Seed">Seed of the noise.</param>
public sealed record ViewEnhancementInput(
    int ViewIndex,
    AnchorView Reference,
    IReadOnlyList<AnchorView> Anchors,
    Camera TargetCamera,
    RgbImage Coarse,
    DepthMap CoarseDepth,
    FloatImage CoarseMask,
    WarpedView Warped,
    int DiffusionSteps,
    double DiffusionStrength,
    int Seed);
