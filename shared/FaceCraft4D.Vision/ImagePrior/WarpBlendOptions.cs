namespace FaceCraft4D.Vision.ImagePrior;

/// <summary>Settings of <see cref="WarpBlendViewEnhancer"/> (bind from configuration section <c>Fc4d:ImagePrior:Blend</c>).</summary>
public sealed class WarpBlendOptions
{
    /// <summary>
    /// Where no anchor sees the head (soft mask below 1 inside the coarse view's coverage: at the side views the strip between
    /// cheek and ear) the coarse view enters the blend shaded by how squarely its surface faces the portrait camera
    /// (<see cref="UncoveredStripShading"/>): the warped portrait carries the photo's lighting, the shape prior's texture
    /// there does not, so the face's outline against the side of the head is lost in one flat skin colour. Default off
    /// (docs/side-view-diagnosis.md, session s28).
    /// </summary>
    public bool ShadeUncovered { get; set; }

    /// <summary>Shade of uncovered surface turned away from the portrait camera (cosine 0 or less); 1 = no shading.</summary>
    public double UncoveredShadeFloor { get; set; } = 0.6;

    /// <summary>Cosine between the surface normal and the direction to the portrait camera from which uncovered surface keeps its colour.</summary>
    public double UncoveredShadeFullCosine { get; set; } = 0.5;
}
