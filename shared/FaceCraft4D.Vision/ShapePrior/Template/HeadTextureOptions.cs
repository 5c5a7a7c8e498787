namespace FaceCraft4D.Vision.ShapePrior.Template;

/// <summary>Settings of the projective head texture and its completion (<see cref="ProjectiveHeadTexture"/>).</summary>
public sealed class HeadTextureOptions
{
    /// <summary>Below this cosine between normal and view direction the portrait is not used (grazing angles stretch it).</summary>
    public double FacingMin { get; set; } = 0.25;

    /// <summary>From this cosine on the portrait is used with full weight.</summary>
    public double FacingFull { get; set; } = 0.55;

    /// <summary>A point is visible in the portrait when its depth is at most this much (metres) behind the z-buffer.</summary>
    public double DepthTolerance { get; set; } = 0.006;

    /// <summary>Foreground-mask value from which the portrait is trusted (ramps to full at <see cref="MaskFull"/>).</summary>
    public double MaskMin { get; set; } = 0.3;

    /// <summary>Foreground-mask value of full trust.</summary>
    public double MaskFull { get; set; } = 0.85;

    /// <summary>Use the left-right mirrored point (FLAME is symmetric about x = 0) where the point itself is unseen.</summary>
    public bool UseSymmetry { get; set; } = true;

    /// <summary>Weight of the mirrored portrait colour relative to a direct observation.</summary>
    public double SymmetryWeight { get; set; } = 0.9;

    /// <summary>Width of the smooth transitions between hair, skin and neck regions, metres.</summary>
    public double RegionBlend { get; set; } = 0.02;

    /// <summary>Hair reaches down to the mouth line at the back; this moves that line (metres, + = up).</summary>
    public double NapeOffset { get; set; }

    /// <summary>
    /// When the portrait shows hair over the temples (<see cref="HeadColours.SidesAreHair"/>): how far the unseen hair
    /// reaches forward from the ears toward the cheeks' back edge (0: it starts behind the ears, 1: at the cheeks; 0.5
    /// before implementation 2, which made the cheek behind the eye hair in the side views).
    /// </summary>
    public double TempleHairShare { get; set; }

    /// <summary>
    /// The portrait's face pixels (inside the jaw contour and brows, <see cref="FaceOutline"/>) colour the face's skin only:
    /// the neck and the hair behind the ears, where the head model is wider than the face, do not take them (the doubled
    /// jaw of the side views). False: every visible point takes its pixel (before implementation 2).
    /// </summary>
    public bool FaceOutlineForSkinOnly { get; set; } = true;

    /// <summary>With <see cref="FaceOutlineForSkinOnly"/>: points more than this (metres) behind the jaw contour at their height
    /// (<see cref="HeadRegions.BehindFaceOutline"/>: the neck under the jaw, the side of the head) do not take face pixels either.</summary>
    public double FaceOutlineDepthMargin { get; set; } = 0.01;

    /// <summary>
    /// Points behind the jaw contour (<see cref="HeadRegions.BehindFaceOutline"/>) outside the hair region (the side of the
    /// neck, the jaw and cheek in front of the ear) take the portrait only where they face its camera at least this much
    /// (cosine; full weight from <see cref="BehindFaceFacingFull"/>), instead of <see cref="FacingMin"/>: seen from the
    /// front, the side of the model's neck lies at the pixels just below the portrait's jaw, and took the jaw's edge and
    /// shadow stretched back to the ear (the doubled jaw and profile of the side views, docs/side-view-diagnosis.md).
    /// There the completion (mirror, skin and neck fills) colours them. Negative: the face's own ramp (before implementation 3).
    /// </summary>
    public double BehindFaceFacingMin { get; set; } = 0.6;

    /// <summary>Cosine from which a point behind the jaw contour outside the hair takes the portrait with full weight.</summary>
    public double BehindFaceFacingFull { get; set; } = 0.85;

    /// <summary>
    /// With a face outline: the face's own skin below the brows (<see cref="HeadRegions.FaceSkinBelowBrows"/>) takes the
    /// portrait only inside the outline, the converse of <see cref="FaceOutlineForSkinOnly"/>. Where the fitted head is
    /// wider than the portrait's face beside the eyes, those points otherwise took the hair beside the face: with hair
    /// over the temples, hair from the eye back to the ear in the 60-degree views (docs/side-view-diagnosis.md, s24).
    /// The completion (mirror, skin fill) colours them instead. Off by default: on three sample seeds it lost the +60
    /// face twice and made the 0 and 30 degree faces patchier, MLK neutral (the portrait shows hair at those temples, the
    /// level views then show skin; training reconciles the two), see docs/side-view-diagnosis.md, session s24.
    /// </summary>
    public bool FaceSkinFromFaceOnly { get; set; }

    /// <summary>
    /// The strip between cheek and ear (<see cref="HeadRegions.CheekToEarBand"/>) of the side whose strip the portrait shows
    /// framed by hair replaces the other side's in the completed atlas (<see cref="FramedSideBand"/>): the sample's subject's
    /// right shows a pale temple and light hair there, its left a dark lock down to the jaw, and its -60 view had no face
    /// (docs/side-view-diagnosis.md, s26/s27). Needs <see cref="UseSymmetry"/> and the texture-space completion. Off by default.
    /// </summary>
    public bool FramedSideBand { get; set; }

    /// <summary>With <see cref="FramedSideBand"/>: how much darker one side's strip must be on average than the other's, as a share of
    /// the way from the skin's luminance to the hair's, for that side to count as hair-framed (below: both sides are left as
    /// they are). The sample: 0.24 (0.80 against 0.56); the evaluation set's other portraits below 0.15 (s27).</summary>
    public double FramedSideBandMinDifference { get; set; } = 0.15;

    /// <summary>
    /// When the portrait's neck is covered (<see cref="HeadColours.Neck"/>, the foreground under the chin, at least
    /// <see cref="NeckClothingMinDistance"/> from the skin colour: a turtleneck, a high collar), the neck extension
    /// (<see cref="NeckExtension"/>) is seeded by the clothing-coloured neck texels only (those nearer the neck colour than
    /// the skin's): the unseen neck takes the clothing's colour by height, its highest band carried up to the hair's edge,
    /// instead of the chin's skin (the skin-coloured column and beige band under the hair at the back, docs/back-view-diagnosis.md).
    /// Off by default.
    /// </summary>
    public bool NeckFromClothing { get; set; }

    /// <summary>
    /// When the portrait's neck is covered (the neck sample at least <see cref="NeckClothingMinDistance"/> from the skin colour),
    /// the unseen neck behind the ears takes the clothing's colour (<see cref="HeadColours.Neck"/>), blended in by how far a
    /// texel lies behind the ears (<see cref="ClothedNape"/>): the back of a turtleneck under the hair instead of a column of
    /// the chin's skin. s30 found, Gaussian by Gaussian (<c>./fc4d bench back-column</c>), that the avatar's pale column is the
    /// back of the neck's own Gaussians trained by the back views, which show this texture (docs/back-view-diagnosis.md).
    /// Independent of <see cref="NeckFromClothing"/>. Off by default.
    /// </summary>
    public bool ClothedNape { get; set; }

    /// <summary>With <see cref="NeckFromClothing"/> or <see cref="ClothedNape"/>: the distance (RGB, 0..1 per channel) from the skin colour from which the portrait's neck sample counts as clothing.</summary>
    public double NeckClothingMinDistance { get; set; } = 0.3;

    /// <summary>With <see cref="NeckFromClothing"/> or <see cref="ClothedNape"/>: the share of the neck samples that must lie within
    /// <see cref="HeadColourStatistics.NeckUniformRadius"/> of their median (<see cref="HeadColours.NeckUniformity"/>) for the neck to count
    /// as covered, so a mixture of shaded skin, collar and tie does not (<see cref="CoveredNeck.IsCovered"/>). 0: the distance alone (s30).</summary>
    public double NeckClothingMinUniformity { get; set; }

    /// <summary>Points higher than the brows by this much (metres) are hair on the top of the head.</summary>
    public double CrownAboveBrows { get; set; } = 0.04;

    /// <summary>Strand noise: cycles per metre across strands (x, z).</summary>
    public double HairNoiseAcross { get; set; } = 220;

    /// <summary>Strand noise: cycles per metre along strands (y).</summary>
    public double HairNoiseAlong { get; set; } = 30;

    /// <summary>Bounds of the hair noise amplitude (relative), taken from the hair samples' luminance spread.</summary>
    public double HairVariationMax { get; set; } = 0.35;

    /// <summary>Side of the UV texture baked for models with texture coordinates.</summary>
    public int TextureSize { get; set; } = 1024;

    /// <summary>Complete unseen texels in texture space (mirror, exemplar hair, neck extension; <see cref="HeadTextureCompletion"/>)
    /// for models with texture coordinates; false: the per-point symmetry and colour statistics only.</summary>
    public bool TextureSpaceCompletion { get; set; } = true;

    /// <summary>Side of the atlas the completion works on (the final atlas is <see cref="TextureSize"/>; the completion is sampled bilinearly).</summary>
    public int CompletionSize { get; set; } = 512;

    /// <summary>Texels at least this confident (after mirroring) are known: they seed the fills and bound the synthesis.</summary>
    public double KnownWeight { get; set; } = 0.5;

    /// <summary>Observed texels at least this confident may serve as hair exemplar.</summary>
    public double HairSourceWeight { get; set; } = 0.75;

    /// <summary>Completed texels within this distance (metres) of the symmetry plane are averaged with their mirror texel, so the
    /// two sides of the back meet without a seam.</summary>
    public double SymmetryBlendWidth { get; set; } = 0.015;

    /// <summary>Radius (texels of the completion atlas) of the box means whose colour the synthesised hair takes from the smooth
    /// fill of the seen hair (its low frequencies); 0: the synthesis' own low frequencies (blotches where it copied a dark patch).</summary>
    public int HairShadingRadius { get; set; } = 12;

    /// <summary>How far (0..1) the synthesised hair's low-frequency colour moves from the smooth fill toward the exemplar's mean
    /// colour (the smooth fill alone carries the darkest seen hair at the hair's edge far into the back).</summary>
    public double HairShadingToExemplar { get; set; } = 0.5;

    /// <summary>Distance (texels) from the seen hair over which the pull toward the exemplar's mean grows from 0 to
    /// <see cref="HairShadingToExemplar"/> (next to the seen hair the shading follows it: no switch at the ear).</summary>
    public int HairShadingDistance { get; set; } = 40;

    /// <summary>Half-length (texels) of the vertical smear of the synthesised hair along texture columns: strands falling downward. 0: none.</summary>
    public int HairStrandSmear { get; set; } = 3;

    /// <summary>Strand noise on the synthesised hair, relative to the portrait's hair luminance spread (<see cref="HeadColours.HairVariation"/>). 0: none.</summary>
    public double HairStrandNoise { get; set; } = 0.6;

    /// <summary>How far the strand noise moves the hair's lower edge into the neck at the nape (region weight units; ragged
    /// strand tips instead of a straight band). 0: a straight edge.</summary>
    public double HairTipJitter { get; set; } = 0.6;

    /// <summary>Hair exemplar synthesis.</summary>
    public PatchSynthesisOptions HairSynthesis { get; set; } = new();
}
