using System.Numerics;
using FaceCraft4D.Graphics.Cameras;
using FaceCraft4D.Vision.Rendering;
using FaceCraft4D.Vision.ShapePrior.Template;

namespace FaceCraft4D.Vision.ShapePrior;

/// <summary>The colours the texture completion used, for the record.</summary>
/// <param name="Skin">Median skin colour (cheeks, nose bridge, forehead).</param>
/// <param name="Hair">Median hair colour (the skin colour when no hair was found).</param>
/// <param name="HairVariation">Relative luminance spread of the hair samples, used for the hair noise.</param>
/// <param name="Neck">Median colour below the chin (the skin colour when too few samples).</param>
/// <param name="HairFound">Whether a hair cluster distinct from the skin was found above the brows.</param>
/// <param name="SidesAreHair">Whether hair covers the sides of the face (temples, ears) in the portrait.</param>
/// <param name="NeckUniformity">Share of the neck samples within <see cref="HeadColourStatistics.NeckUniformRadius"/> of their median
/// (<see cref="Neck"/>): near 1 for one colour (a turtleneck), low for a mixture (shaded skin, a collar, a tie); 1 when too few samples.</param>
public sealed record HeadColours(Vector3 Skin, Vector3 Hair, float HairVariation, Vector3 Neck, bool HairFound, bool SidesAreHair = false,
    float NeckUniformity = 1);

/// <summary>
/// The output of a shape prior: the orbit views (colour, depth, mask, camera), the FLAME-format head fitted to
/// the portrait (always, so later stages can re-render and animate it), and for the template backend the
/// textured mesh.
/// </summary>
public sealed class ShapePriorResult
{
    /// <summary>Views in orbit order; view 0 has the reference camera.</summary>
    public required IReadOnlyList<RenderedView> Views { get; init; }

    /// <summary>The fitted FLAME parameters and the reference camera.</summary>
    public required FittedHead Head { get; init; }

    /// <summary>Eye rotations (axis-angle of FLAME joints 3 and 4, 6 values) of the fit; zeros unless the irises were fitted.</summary>
    public float[] Eyes { get; init; } = new float[6];

    /// <summary>
    /// Which landmarks the head was fitted to: <c>ibug-68</c>, or <c>facemesh-468</c> / <c>facemesh-478</c> (dense;
    /// see <see cref="LandmarkFitNames"/>).
    /// </summary>
    public string LandmarkFit { get; init; } = LandmarkFitNames.Ibug68;

    /// <summary>The rendered head's mesh in world (FLAME) coordinates: the fitted FLAME plus <see cref="VertexOffsets"/>.</summary>
    public required TriangleMesh Mesh { get; init; }

    /// <summary>Per-vertex displacement (V * 3, metres) added to the fitted FLAME's vertices (the hair volume; zeros when none).</summary>
    public required float[] VertexOffsets { get; init; }

    /// <summary>Colour per vertex (V * 3, [0, 1]) from the same texturing as the views.</summary>
    public required float[] VertexColours { get; init; }

    /// <summary>UV texture (FLAME <c>vt</c>/<c>ft</c> layout) when the model has texture coordinates.</summary>
    public RgbImage? Texture { get; init; }

    /// <summary>The point the orbit turns around (world), on a vertical axis.</summary>
    public required Vector3d OrbitPivot { get; init; }

    /// <summary>Colour statistics used to complete unseen parts.</summary>
    public HeadColours? Colours { get; init; }

    /// <summary>Backend that made the views, e.g. <c>template</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>Figures worth recording (fit error, timings).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Remarks for the user.</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
}
