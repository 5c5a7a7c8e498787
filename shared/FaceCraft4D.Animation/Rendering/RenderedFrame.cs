using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Animation.Rendering;

/// <summary>One rendered video frame: colour over the background and the anti-aliased coverage mask.</summary>
public sealed record RenderedFrame(RgbImage Image, FloatImage Mask);
