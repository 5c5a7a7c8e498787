using FaceCraft4D.Graphics.Cameras;

namespace FaceCraft4D.Vision.Rendering;

/// <summary>One rendered view: the camera, the colour image over the background, the camera depth and the coverage mask.</summary>
/// <param name="Camera">The camera (its resolution is the images' resolution).</param>
/// <param name="Image">Anti-aliased colour composited over the background colour.</param>
/// <param name="Depth">Camera depth at pixel centres (0 = background).</param>
/// <param name="Mask">Anti-aliased coverage in [0, 1].</param>
public sealed record RenderedView(Camera Camera, RgbImage Image, DepthMap Depth, FloatImage Mask);
