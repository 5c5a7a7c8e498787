using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>
/// The <c>warp</c> image-prior backend (no weights): the anchors' pixels warped into the view replace the coarse
/// view where the anchors see the surface, blended by the soft visibility mask (1 inside, 0.1 on the boundary
/// band, 0 elsewhere): out = m * warped + (1 - m) * coarse. It copies identity-preserving detail from the
/// portrait and the back view across views (the image-space analogue of the paper's latent copy-paste), but it
/// does not denoise or invent detail where no anchor sees the surface; there the coarse view stays as it is, or, with
/// <see cref="WarpBlendOptions.ShadeUncovered"/>, shaded by its facing to the portrait camera (<see cref="UncoveredStripShading"/>).
/// </summary>
/// <param name="options">Blend settings (default: all off).</param>
public sealed class WarpBlendViewEnhancer(WarpBlendOptions options) : IViewEnhancer
{
    /// <summary>The enhancer with the default settings.</summary>
    public WarpBlendViewEnhancer() : this(new WarpBlendOptions())
    {
    }

    /// <summary>Backend name.</summary>
    public const string BackendName = "warp";

    /// <inheritdoc />
    public string Name => BackendName;

    /// <inheritdoc />
    public Task<EnhancedView> EnhanceAsync(ViewEnhancementInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var coarse = input.Coarse;
        var warped = input.Warped;
        if (warped.Image.Width != coarse.Width || warped.Image.Height != coarse.Height)
            throw new ArgumentException("The warped anchors and the coarse view must share one resolution.", nameof(input));
        int shaded = 0;
        if (options.ShadeUncovered)
            coarse = UncoveredStripShading.Shade(coarse, input.CoarseMask, warped.SoftMask, input.CoarseDepth, input.TargetCamera, input.Reference.Camera, options, out shaded);
        var result = new RgbImage(coarse.Width, coarse.Height);
        double replaced = 0;
        for (int y = 0; y < coarse.Height; y++)
        for (int x = 0; x < coarse.Width; x++)
        {
            float m = warped.SoftMask[x, y];
            result[x, y] = m * warped.Image[x, y] + (1 - m) * coarse[x, y];
            replaced += m;
        }
        var metrics = new Dictionary<string, double>
        {
            ["warped_fraction"] = replaced / (coarse.Width * coarse.Height),
            ["visible_fraction_of_head"] = warped.Visibility.Data.Sum() / Math.Max(1.0, input.CoarseMask.Data.Sum()),
        };
        if (options.ShadeUncovered) metrics["uncovered_shaded_fraction"] = shaded / (double)(coarse.Width * coarse.Height);
        return Task.FromResult(new EnhancedView(result, BackendName, metrics));
    }
}
