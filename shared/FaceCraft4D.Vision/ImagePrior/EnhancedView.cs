using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>An image-prior result for one view.</summary>
/// <param name="Image">The enhanced view (background as in the coarse view).</param>
/// <param name="Backend">Which backend made it (<c>warp</c>, <c>diffusion:...</c>).</param>
/// <param name="Metrics">Figures worth recording.</param>
public sealed record EnhancedView(RgbImage Image, string Backend, IReadOnlyDictionary<string, double> Metrics);
