using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>
/// What is known of an atlas: a colour per texel and the confidence in it (0 = unknown, 1 = seen head-on in the
/// portrait). Colours are not premultiplied: a texel of weight w contributes w x colour to a blend.
/// </summary>
/// <param name="Colour">Colour per texel [W x H].</param>
/// <param name="Weight">Confidence per texel [W x H], in [0, 1].</param>
public sealed record TexelObservation(RgbImage Colour, FloatImage Weight)
{
    /// <summary>Atlas width.</summary>
    public int Width => Colour.Width;

    /// <summary>Atlas height.</summary>
    public int Height => Colour.Height;
}
