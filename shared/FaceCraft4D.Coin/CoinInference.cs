using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Coin;

/// <summary>
/// Rendering a COIN-trained avatar after training (paper: the reference view's embedding for every camera). The reference
/// offsets depend on the Gaussian's colour and canonical position only, not on the frame, so they are computed once per
/// avatar (<see cref="ReferenceOffsets"/>, with the view-independent DC colour as the MLP's colour input) and added to the
/// SH colour of every frame (<see cref="Render"/>): the per-frame cost is one [N, 3] addition. <see cref="BakeReferenceOffsets"/>
/// folds the same offsets into the SH DC term for standard 3DGS viewers.
/// </summary>
public static class CoinInference
{
    /// <summary>
    /// The reference view's offsets [N, 3] (no gradient): <c>MLP(e_ref, c_dc, e_g)</c> (centred over the views when the
    /// appearance is) with <c>c_dc = C0 dc + 0.5</c> the view-independent colour and e_g the canonical position embedding.
    /// </summary>
    public static Tensor ReferenceOffsets(IGaussianAvatar avatar, CoinAppearance appearance)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        ArgumentNullException.ThrowIfNull(appearance);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var colour = SphericalHarmonics.DcToRgb(avatar.Parameters.ShDc.squeeze(1));
        var pe = appearance.Encoding.Encode(CanonicalPositions.Of(avatar));
        return appearance.Offsets(appearance.ReferenceView, colour, pe).detach().MoveToOuterDisposeScope();
    }

    /// <summary>The Gaussians of a frame with their final colours for a camera: SH colour toward the camera plus the reference offsets (none: the consistent model).</summary>
    public static SplatGaussians Gaussians(IGaussianAvatar avatar, Tensor? referenceOffsets, Camera camera, FlameParameters? frame = null)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        using var noGrad = torch.no_grad();
        var g = avatar.Evaluate(frame);
        return referenceOffsets is null ? g : g.WithColors(g.ColorsFor(camera).Plus(referenceOffsets));
    }

    /// <summary>Renders a frame with the reference offsets (null: the consistent model) over a background colour.</summary>
    public static RenderOutput Render(GaussianRasterizer rasterizer, IGaussianAvatar avatar, Tensor? referenceOffsets, Camera camera, double[] background,
        FlameParameters? frame = null)
    {
        ArgumentNullException.ThrowIfNull(rasterizer);
        ArgumentNullException.ThrowIfNull(avatar);
        using var noGrad = torch.no_grad();
        var p = avatar.Parameters;
        using var bg = torch.tensor(background, p.Positions.dtype, p.Device);
        return rasterizer.Render(Gaussians(avatar, referenceOffsets, camera, frame), camera, bg);
    }

    /// <summary>
    /// Adds <see cref="ReferenceOffsets"/> to the SH DC coefficients in place (<c>dc += offset / C0</c>). Afterwards the avatar
    /// renders like <see cref="Render"/> with those offsets in any 3DGS viewer (identical unless a colour falls under the SH
    /// clamp at 0).
    /// </summary>
    public static void BakeReferenceOffsets(IGaussianAvatar avatar, CoinAppearance appearance)
    {
        using var offsets = ReferenceOffsets(avatar, appearance);
        using var noGrad = torch.no_grad();
        avatar.Parameters.ShDc.PlusInPlace(offsets.DividedBy(SphericalHarmonics.C0).unsqueeze(1));
    }
}
