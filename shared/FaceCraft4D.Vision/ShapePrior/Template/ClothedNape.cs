using System.Numerics;
using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// The unseen back of a covered neck in the clothing's colour (<see cref="HeadTextureOptions.ClothedNape"/>): where the
/// portrait's neck sample is clothing (<see cref="CoveredNeck.IsCovered"/>: a turtleneck, a high collar), the neck fill
/// behind the ears is blended toward the clothing colour (<see cref="HeadColours.Neck"/>) by how far the texel lies
/// behind the ears, so the front's seam with the seen neck stays the band extension's and the nape under the hair is the
/// collar's colour. Without it the bands above the highest seen clothing texel carry the chin's shaded skin (or, with
/// <see cref="HeadTextureOptions.NeckFromClothing"/>, the darkest mixed texels' tan) around the back: the pale column
/// under the hair dome that the avatar's back is trained from (docs/back-view-diagnosis.md, s30).
/// </summary>
public static class ClothedNape
{
    /// <summary>Blends <paramref name="neckFill"/> [W x H] toward <paramref name="clothing"/> by <paramref name="behind"/> [W * H] (0..1) in place.</summary>
    public static void Blend(RgbImage neckFill, float[] behind, Vector3 clothing)
    {
        ArgumentNullException.ThrowIfNull(neckFill);
        ArgumentNullException.ThrowIfNull(behind);
        int w = neckFill.Width;
        if (behind.Length != w * neckFill.Height) throw new ArgumentException("One weight per texel.", nameof(behind));
        for (int t = 0; t < behind.Length; t++)
        {
            float b = Math.Clamp(behind[t], 0, 1);
            if (b <= 0) continue;
            int x = t % w, y = t / w;
            neckFill[x, y] = Vector3.Lerp(neckFill[x, y], clothing, b);
        }
    }
}
