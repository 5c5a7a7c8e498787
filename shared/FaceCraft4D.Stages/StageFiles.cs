using System.Globalization;

namespace FaceCraft4D.Stages;

/// <summary>
/// Names of the files stages 1-4 write and read (documented in this folder's README.md). Inputs of a stage are
/// named <c>{stage-slug}/{file}</c> (single-item stages) or <c>{stage-slug}/{key}/{file}</c> (fan-out items).
/// </summary>
public static class StageFiles
{
    /// <summary>The run's uploaded photo, the first stage's input.</summary>
    public const string PortraitInput = "input/portrait";

    /// <summary>Preprocess: aligned crop (RGB PNG, CropSize x CropSize, original background).</summary>
    public const string Crop = "crop.png";

    /// <summary>Preprocess: the crop over white.</summary>
    public const string CropWhite = "crop-white.png";

    /// <summary>Preprocess: foreground alpha (8-bit PNG, 255 = person).</summary>
    public const string Mask = "mask.png";

    /// <summary>Preprocess: 68 landmarks (JSON).</summary>
    public const string Landmarks = "landmarks.json";

    /// <summary>Preprocess: dense MediaPipe FaceMesh landmarks (JSON, <c>DenseLandmarksDocument</c>); absent when FaceMesh did not run.</summary>
    public const string DenseLandmarks = "dense-landmarks.json";

    /// <summary>Camera set (JSON, Graphics <c>CameraSet</c>): preprocess: the crop camera; shape prior: the orbit views.</summary>
    public const string Camera = "camera.json";

    /// <summary>Preprocess: backends, warnings, detection and pose figures (JSON).</summary>
    public const string PreprocessReport = "preprocess.json";

    /// <summary>Shape prior: the orbit cameras (Graphics <c>CameraSet</c> JSON, view 0 first).</summary>
    public const string Views = "views.json";

    /// <summary>Shape prior: fitted FLAME parameters, reference camera, orbit pivot, texture references (JSON).</summary>
    public const string Flame = "flame.json";

    /// <summary>Shape prior: the rendered head mesh with vertex colours (binary PLY).</summary>
    public const string HeadMesh = "head.ply";

    /// <summary>Shape prior: the built-in head model used (FLAME-format safetensors); absent when an operator FLAME was used.</summary>
    public const string HeadModel = "head-model.safetensors";

    /// <summary>Shape prior: per-vertex offsets added to the fitted FLAME (float32 LE, V x 3).</summary>
    public const string VertexOffsets = "vertex-offsets.f32";

    /// <summary>Shape prior: UV texture (RGB PNG) when the head model has texture coordinates.</summary>
    public const string Texture = "texture.png";

    /// <summary>Shape prior: the views, depths and masks on one sheet (PNG).</summary>
    public const string ContactSheet = "contact-sheet.png";

    /// <summary>Shape prior: the contact sheet's name in the avatar folder.</summary>
    public const string ShapePriorContactSheetArtifact = "shape-prior-contact-sheet.png";

    /// <summary>Image prior: the enhanced view (RGB PNG, RenderSize).</summary>
    public const string Image = "image.png";

    /// <summary>Image prior: the anchors warped into the view (RGB PNG, black where unseen).</summary>
    public const string Warped = "warped.png";

    /// <summary>Image prior: the soft visibility mask (8-bit PNG: 255 inside, 26 = 0.1 on the boundary band, 0 outside).</summary>
    public const string SoftMask = "soft-mask.png";

    /// <summary>Image prior: the soft mask averaged to latent resolution (8-bit PNG, RenderSize / 8).</summary>
    public const string LatentMask = "latent-mask.png";

    /// <summary>Image prior: the view's index, camera, backend and figures (JSON).</summary>
    public const string ViewReport = "view.json";

    /// <summary>Shape prior: colour of view k (RGB PNG over white).</summary>
    public static string ViewImage(int view) => $"view-{Two(view)}.png";

    /// <summary>Shape prior: depth of view k (float32 little-endian raw, RenderSize x RenderSize, camera z in metres, 0 = background).</summary>
    public static string ViewDepth(int view) => $"depth-{Two(view)}.f32";

    /// <summary>Shape prior: coverage mask of view k (8-bit PNG, anti-aliased).</summary>
    public static string ViewMask(int view) => $"mask-{Two(view)}.png";

    /// <summary><c>{stage}/{file}</c>: the input name of a single-item stage's output.</summary>
    public static string From(Contracts.PipelineStage stage, string file) => $"{Contracts.PipelineStages.Slug(stage)}/{file}";

    private static string Two(int view) => view.ToString("D2", CultureInfo.InvariantCulture);
}
