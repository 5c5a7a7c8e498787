namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// Hyper-parameters of the PanoHead tri-grid generator (the official checkpoint: FFHQ-style rendering options,
/// tri-grid depth 3, ToRGB raw output, no decoder activation, background generator, 8x super-resolution to 512).
/// <see cref="Tiny"/> is a configuration small enough to run in tests on a CPU.
/// </summary>
public sealed partial record PanoHeadConfig
{
    /// <summary>Latent size (512).</summary>
    public int ZDim { get; init; } = 512;

    /// <summary>Camera label size: 16 cam2world + 9 intrinsics.</summary>
    public int CDim { get; init; } = 25;

    /// <summary>W size (512).</summary>
    public int WDim { get; init; } = 512;

    /// <summary>Mapping layers (EG3D <c>--map-depth</c>, 2).</summary>
    public int MappingLayers { get; init; } = 2;

    /// <summary>Mapping embedding width of the camera label (<c>mapping_kwargs.embed_features</c>; null = w_dim).</summary>
    public int? MappingEmbedFeatures { get; init; }

    /// <summary>Mapping hidden width (<c>mapping_kwargs.layer_features</c>; null = w_dim).</summary>
    public int? MappingLayerFeatures { get; init; }

    /// <summary>Backbone channel base (32768).</summary>
    public int ChannelBase { get; init; } = 32768;

    /// <summary>Backbone channel maximum (512).</summary>
    public int ChannelMax { get; init; } = 512;

    /// <summary>Clamp of the synthesis convolutions (256).</summary>
    public double? ConvClamp { get; init; } = 256;

    /// <summary>Modulated convolutions of the backbone and background as one grouped convolution (upstream
    /// <c>fused_modconv_default</c> True or 'inference_only'); false scales activations around a shared convolution.</summary>
    public bool FusedModconv { get; init; } = true;

    /// <summary>Same for the super-resolution blocks (<c>sr_kwargs.fused_modconv_default</c>).</summary>
    public bool SuperResolutionFusedModconv { get; init; } = true;

    /// <summary>Side of each tri-grid plane (256).</summary>
    public int TriplaneSize { get; init; } = 256;

    /// <summary>Depth of the tri-grid (3; 1 = EG3D tri-plane).</summary>
    public int TriplaneDepth { get; init; } = 3;

    /// <summary>Feature channels per plane cell (32).</summary>
    public int TriplaneChannels { get; init; } = 32;

    /// <summary>Decoder hidden width (64).</summary>
    public int DecoderHidden { get; init; } = 64;

    /// <summary>Learning-rate multiplier of the decoder layers (<c>decoder_lr_mul</c>; scales their weights at run time).</summary>
    public double DecoderLrMultiplier { get; init; } = 1;

    /// <summary>Decoder colour activation: <c>none</c> (PanoHead), <c>sigmoid</c>, <c>lrelu</c>.</summary>
    public string DecoderActivation { get; init; } = "none";

    /// <summary>A ToRGB layer makes the raw image from the features (<c>use_torgb_raw</c>).</summary>
    public bool UseTorgbRaw { get; init; } = true;

    /// <summary>A separate background synthesis network (<c>use_background</c>).</summary>
    public bool UseBackground { get; init; } = true;

    /// <summary>Which upstream super-resolution module makes the final image (8X DC for the official 512 px model).</summary>
    public SuperResolutionKind SuperResolution { get; init; } = SuperResolutionKind.Hybrid8XDC;

    /// <summary>Resize the raw image and features into the super-resolution (and the background to the raw image)
    /// with antialiasing (<c>sr_antialias</c>, true).</summary>
    public bool SuperResolutionAntialias { get; init; } = true;

    /// <summary>Noise of the super-resolution layers in <see cref="TriGridGenerator.Forward"/> (<c>superresolution_noise_mode</c>, none).</summary>
    public NoiseMode SuperResolutionNoise { get; init; } = NoiseMode.None;

    /// <summary>Super-resolution input side (128).</summary>
    public int SuperResolutionInput { get; init; } = 128;

    /// <summary>Channels of the first super-resolution block (256).</summary>
    public int SuperResolutionChannels0 { get; init; } = 256;

    /// <summary>Channels of the second super-resolution block (128).</summary>
    public int SuperResolutionChannels1 { get; init; } = 128;

    /// <summary>Clamp of the super-resolution convolutions (256 with fp16 layers, as trained).</summary>
    public double? SuperResolutionConvClamp { get; init; } = 256;

    /// <summary>Side of the volume-rendered raw image (64; 128 after PanoHead's second stage).</summary>
    public int NeuralRenderingResolution { get; init; } = 64;

    /// <summary>Stratified samples per ray (48).</summary>
    public int DepthResolution { get; init; } = 48;

    /// <summary>Importance samples per ray (48).</summary>
    public int DepthResolutionImportance { get; init; } = 48;

    /// <summary>Near bound of the rays (2.25).</summary>
    public double RayStart { get; init; } = 2.25;

    /// <summary>Far bound of the rays (3.3).</summary>
    public double RayEnd { get; init; } = 3.3;

    /// <summary>Stratified samples uniform in inverse depth (<c>disparity_space_sampling</c>, false).</summary>
    public bool DisparitySpaceSampling { get; init; }

    /// <summary>Composite onto white (<c>white_back</c>, false).</summary>
    public bool WhiteBackground { get; init; }

    /// <summary>Side of the cube the planes span (1).</summary>
    public double BoxWarp { get; init; } = 1;

    /// <summary>Margin of the tri-grid crop (density off outside |x|, |z| &lt;= box / 2 - crop).</summary>
    public double TriplaneCrop { get; init; } = 0.1;

    /// <summary>Scale of the generator's pose conditioning label (1).</summary>
    public double CScale { get; init; } = 1;

    /// <summary>Feed a zero label to the mapping (false: PanoHead is pose-conditioned).</summary>
    public bool CGenConditioningZero { get; init; }

    /// <summary>Camera distance of the training orbit (2.7).</summary>
    public double AverageCameraRadius { get; init; } = 2.7;

    /// <summary>The official checkpoint's configuration.</summary>
    public static PanoHeadConfig Official { get; } = new();

    /// <summary>A tiny random configuration for tests: 16-px planes, 32-px output.</summary>
    public static PanoHeadConfig Tiny { get; } = new()
    {
        ZDim = 16, WDim = 16, MappingLayers = 2, ChannelBase = 64, ChannelMax = 16, TriplaneSize = 16, TriplaneDepth = 2,
        TriplaneChannels = 8, DecoderHidden = 8, SuperResolutionInput = 8, SuperResolutionChannels0 = 8, SuperResolutionChannels1 = 4,
        NeuralRenderingResolution = 8, DepthResolution = 6, DepthResolutionImportance = 6, ImageResolution = 32,
    };

    /// <summary>Output image side (512; 4 x the super-resolution input for 8X DC, 2 x for 2X).</summary>
    public int ImageResolution { get; init; } = 512;
}
