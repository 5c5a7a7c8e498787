using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceCraft4D.Stages.Evaluation;

/// <summary>
/// The reference view side by side, so a low reference PSNR can be looked at instead of guessed at: the target photo
/// (the aligned crop over white) | the avatar's render from the reference camera | the absolute difference, each
/// channel amplified by <see cref="DifferenceGain"/> and shown dark-on-white (white = equal). Written by the Evaluate
/// stage as <c>evaluation/reference-comparison.png</c> in the avatar folder.
/// </summary>
public static class ReferenceComparisonSheet
{
    /// <summary>Avatar-folder name of the sheet.</summary>
    public const string FileName = "evaluation/reference-comparison.png";

    /// <summary>Factor applied to |target − render| before it is drawn (a difference of 64/255 saturates).</summary>
    public const int DifferenceGain = 4;

    /// <summary>Composes the sheet; both images must have the same size.</summary>
    public static Image<Rgb24> Compose(Image<Rgb24> target, Image<Rgb24> render)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(render);
        if (target.Width != render.Width || target.Height != render.Height)
            throw new ArgumentException($"target is {target.Width}x{target.Height}, render {render.Width}x{render.Height}");
        int w = target.Width, h = target.Height;
        var sheet = new Image<Rgb24>(3 * w, h);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                var t = target[x, y];
                var r = render[x, y];
                sheet[x, y] = t;
                sheet[w + x, y] = r;
                sheet[2 * w + x, y] = new Rgb24(Difference(t.R, r.R), Difference(t.G, r.G), Difference(t.B, r.B));
            }
        }
        return sheet;
    }

    private static byte Difference(byte a, byte b) => (byte)(255 - Math.Min(255, DifferenceGain * Math.Abs(a - b)));
}
