using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Vision.ShapePrior.Template;

namespace FaceCraft4D.Stages.ShapePrior;

/// <summary>Configuration section <c>Fc4d:ShapePrior</c>.</summary>
public sealed class ShapePriorStageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Fc4d:ShapePrior";

    /// <summary>
    /// An operator's FLAME model (FLAME-format safetensors, see FaceCraft4D.Graphics <c>FlameModelFile</c>) in the
    /// models store. When it is absent the built-in procedural head is used.
    /// </summary>
    public string FlameModelPath { get; set; } = "flame/2023/flame.safetensors";

    /// <summary>Folder of the PanoHead weights in the models store (<c>generator.safetensors</c>).</summary>
    public string PanoHeadPath { get; set; } = "panohead/v1";

    /// <summary>
    /// Models-store path of the one LPIPS weights file the inversion uses (shared with COIN and the <c>lpips</c> metric;
    /// <see cref="LpipsWeights"/>).
    /// </summary>
    public string LpipsWeightsPath { get; set; } = LpipsWeights.DefaultModelPath;

    /// <summary>The template backend's settings.</summary>
    public TemplateShapePriorOptions Template { get; set; } = new();

    /// <summary>The panohead backend's settings (inversion steps, device).</summary>
    public PanoHeadShapePriorOptions PanoHead { get; set; } = new();

    /// <summary>Thumbnail side of the contact sheet, pixels.</summary>
    public int ContactSheetThumbnail { get; set; } = 128;

    /// <summary>Views per contact-sheet row.</summary>
    public int ContactSheetColumns { get; set; } = 8;
}
