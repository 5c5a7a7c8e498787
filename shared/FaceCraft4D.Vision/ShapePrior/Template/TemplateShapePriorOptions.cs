using FaceCraft4D.Vision.Rendering;

namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Settings of the template shape prior (bind from configuration section <c>Fc4d:ShapePrior:Template</c>).</summary>
public sealed class TemplateShapePriorOptions
{
    /// <summary>Landmark fitting.</summary>
    public LandmarkFitOptions Fit { get; set; } = new();

    /// <summary>
    /// Fit the head to the dense FaceMesh landmarks when the input has them (<see cref="FlameLandmarkFitter.FitDense"/>);
    /// false, or no dense landmarks: the 68 landmarks (<see cref="FlameLandmarkFitter.Fit"/>). Off by default: with the
    /// built-in procedural head (10 identity components) the dense fit made the sample's avatar worse end to end (faces
    /// found in 2 of 5 static and 21 of 48 animation protocol views instead of 3 and 45; ShapePrior README).
    /// </summary>
    public bool UseDenseLandmarks { get; set; }

    /// <summary>
    /// Orbit views turned at most this far (degrees) from the portrait are rendered from <see cref="LevelElevationDegrees"/>
    /// instead of the portrait camera's height (<see cref="OrbitViews.AroundVerticalAxis(FaceCraft4D.Graphics.Cameras.Camera, FaceCraft4D.Graphics.Cameras.Vector3d, int, int, double, double)"/>);
    /// the rest (the back) keep the portrait's height. Negative: every view at the portrait's height (before implementation 2).
    /// The fitted head often sits 10-20 degrees below the portrait camera while the evaluation protocol and a
    /// viewer look from the head's level: with every training view at the portrait's height, views from the level were
    /// never trained and the face broke up there (the sample: faces found at 0 and one of +-30 only).
    /// </summary>
    public double LevelViewsWithinDegrees { get; set; } = 90;

    /// <summary>Elevation (degrees above the orbit pivot, head frame) of the level views: 0, the protocol's static views.</summary>
    public double LevelElevationDegrees { get; set; }

    /// <summary>Projective texture and its completion.</summary>
    public HeadTextureOptions Texture { get; set; } = new();

    /// <summary>The fitted face narrowed at temple and cheek height to the portrait's face outline (off by default).</summary>
    public TempleNarrowingOptions TempleNarrowing { get; set; } = new();

    /// <summary>The unseen hair's lower edge from where the portrait's hair ends beside the face (off by default).</summary>
    public HairLengthOptions HairLength { get; set; } = new();

    /// <summary>The hair shell continued down to the portrait's hair end outside the neck (off by default).</summary>
    public HangingHairOptions HangingHair { get; set; } = new();

    /// <summary>Hair volume grown to match the portrait's silhouette.</summary>
    public HairVolumeOptions HairVolume { get; set; } = new();

    /// <summary>View rendering (supersampling, background).</summary>
    public MeshRenderOptions Render { get; set; } = new();

    /// <summary>TorchSharp device of the fit ("cpu", "cuda").</summary>
    public string Device { get; set; } = "cpu";
}
