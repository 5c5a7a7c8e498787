using FaceCraft4D.Graphics.Avatar;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Graphics.Flame;
using FaceCraft4D.Graphics.Splatting;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Coin;

/// <summary>
/// Rendering a COIN-trained avatar after training (paper: the reference view's embedding for every camera):
/// <c>c* = c + MLP(e_ref, c, e_g)</c> with c the SH colour toward the camera. <see cref="BakeReferenceOffsets"/> folds the
/// reference offsets into the SH DC term for standard 3DGS viewers.
/// </summary>
public static class CoinInference
{
    /// <summary>The Gaussians of a frame with their final colours for a camera (no gradient).</summary>
    /// <param name="avatar">The consistent avatar.</param>
    /// <param name="appearance">The COIN appearance; null = the consistent colours (SH).</param>
    /// <param name="camera">Camera (SH direction).</param>
    /// <param name="frame">FLAME frame (null = canonical).</param>
    /// <param name="canonicalPositions">Canonical means [N, 3] when already known (they do not depend on the frame), else computed.</param>
    public static SplatGaussians Gaussians(IGaussianAvatar avatar, CoinAppearance? appearance, Camera camera, FlameParameters? frame = null, Tensor? canonicalPositions = null)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        using var noGrad = torch.no_grad();
        var g = avatar.Evaluate(frame);
        if (appearance is null) return g;
        using var scope = torch.NewDisposeScope();
        var baseRgb = g.ColorsFor(camera);
        var positions = canonicalPositions ?? CanonicalPositions.Of(avatar);
        var colours = appearance.Colors(appearance.ReferenceView, baseRgb, positions).MoveToOuterDisposeScope();
        return g.WithColors(colours);
    }

    /// <summary>Renders a frame as the paper's inference does (reference embedding), or the consistent model when <paramref name="appearance"/> is null.</summary>
    public static RenderOutput Render(GaussianRasterizer rasterizer, IGaussianAvatar avatar, CoinAppearance? appearance, Camera camera, double[] background,
        FlameParameters? frame = null, Tensor? canonicalPositions = null)
    {
        ArgumentNullException.ThrowIfNull(rasterizer);
        using var noGrad = torch.no_grad();
        var p = avatar.Parameters;
        using var bg = torch.tensor(background, p.Positions.dtype, p.Device);
        return rasterizer.Render(Gaussians(avatar, appearance, camera, frame, canonicalPositions), camera, bg);
    }

    /// <summary>
    /// Adds the reference view's offsets to the SH DC coefficients in place: <c>dc += MLP(e_ref, c_dc, e_g) / C0</c> with
    /// <c>c_dc = C0 dc + 0.5</c> the view-independent colour. Exact for SH degree 0; for higher degrees the offset is taken
    /// at the view-independent colour (offsets are small and mostly a function of position and view). Afterwards the avatar
    /// renders like <see cref="Render"/> with the reference embedding, in any 3DGS viewer.
    /// </summary>
    public static void BakeReferenceOffsets(IGaussianAvatar avatar, CoinAppearance appearance)
    {
        ArgumentNullException.ThrowIfNull(avatar);
        ArgumentNullException.ThrowIfNull(appearance);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var dc = avatar.Parameters.ShDc; // [N, 1, 3]
        var colour = SphericalHarmonics.DcToRgb(dc.squeeze(1));
        var pe = appearance.Encoding.Encode(CanonicalPositions.Of(avatar));
        var offsets = appearance.Offsets(appearance.ReferenceView, colour, pe);
        dc.add_((offsets / SphericalHarmonics.C0).unsqueeze(1));
    }
}
