namespace FaceCraft4D.Vision.ShapePrior;

/// <summary>The views a shape prior must produce.</summary>
/// <param name="RenderSize">Side of every view, pixels.</param>
/// <param name="ViewCount">Views on the orbit; view 0 is the reference (the portrait's camera), view ViewCount / 2 the back.</param>
/// <param name="Seed">Seed of every random choice (texture noise, GAN initialisation).</param>
public sealed record ShapePriorRequest(int RenderSize, int ViewCount, int Seed);
