using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// PanoHead's <c>TriPlaneGenerator</c> with the tri-grid: a StyleGAN2 backbone makes 3 planes of 32 x D channels,
/// the volume renderer composites decoded features along camera rays, a background network fills the empty
/// space, ToRGB makes the raw image and the 8x super-resolution the final one. Sub-modules and parameters carry
/// the official names (<c>backbone.*</c>, <c>superresolution.*</c>, <c>decoder.net.*</c>, <c>torgb.*</c>,
/// <c>bcg_synthesis.*</c>, <c>t_mapping.*</c>), so a state dict converted from the official pickle loads by name.
/// Camera labels c are [N, 25]: cam2world (row-major 4x4, OpenCV axes, world +y up, face toward +z) then normalised
/// intrinsics (fx / W, 0, cx / W, 0, fy / H, cy / H, 0, 0, 1).
/// </summary>
public sealed class TriGridGenerator : nn.Module
{
    private readonly PanoHeadConfig config;
    private readonly TriGridRenderer renderer;

    /// <summary>Creates the generator with random weights (upstream initialisation) for <paramref name="config"/>.</summary>
    public TriGridGenerator(PanoHeadConfig config)
        : base(nameof(TriGridGenerator))
    {
        this.config = config ?? throw new ArgumentNullException(nameof(config));
        int planeChannels = config.TriplaneChannels * 3 * config.TriplaneDepth;
        Backbone = new StyleGan2Backbone(config.ZDim, config.CDim, config.WDim, config.TriplaneSize, planeChannels,
            config.MappingLayers, config.ChannelBase, config.ChannelMax, config.ConvClamp, config.MappingEmbedFeatures, config.MappingLayerFeatures,
            config.FusedModconv);
        nn.Module superResolution = config.SuperResolution switch
        {
            SuperResolutionKind.Hybrid8XDC => new SuperresolutionHybrid8XDC(config.TriplaneChannels, config.WDim, config.SuperResolutionInput,
                config.SuperResolutionChannels0, config.SuperResolutionChannels1, config.SuperResolutionConvClamp, config.SuperResolutionAntialias, config.SuperResolutionFusedModconv),
            SuperResolutionKind.Hybrid2X => new SuperresolutionHybrid2X(config.TriplaneChannels, config.WDim, config.SuperResolutionInput,
                config.SuperResolutionChannels0, config.SuperResolutionChannels1, config.SuperResolutionConvClamp, config.SuperResolutionAntialias, config.SuperResolutionFusedModconv),
            _ => throw new NotSupportedException($"Super-resolution module {config.SuperResolution} is not ported."),
        };
        SuperResolution = (ISuperResolution)superResolution;
        if (SuperResolution.OutputResolution != config.ImageResolution)
            throw new ArgumentException($"{config.SuperResolution} turns {config.SuperResolutionInput} px into {SuperResolution.OutputResolution} px, the config asks for {config.ImageResolution}.", nameof(config));
        Decoder = new OsgDecoder(config.TriplaneChannels, config.TriplaneChannels, config.DecoderActivation, config.DecoderLrMultiplier, config.DecoderHidden);
        register_module("backbone", Backbone);
        register_module("superresolution", superResolution);
        register_module("decoder", Decoder);
        if (config.UseTorgbRaw)
        {
            ToRgb = new ToRgbLayer(config.TriplaneChannels, 3, config.WDim);
            register_module("torgb", ToRgb);
        }
        if (config.UseBackground)
        {
            Background = new SynthesisNetwork(config.WDim, config.SuperResolutionInput, config.TriplaneChannels,
                config.ChannelBase / 2, config.ChannelMax, config.ConvClamp, config.FusedModconv);
            register_module("bcg_synthesis", Background);
        }
        // The self-adaptive camera offset network (used in training; kept so the official weights load completely).
        CameraOffsets = new MappingNetwork(config.ZDim, config.CDim, 3, numWs: 1, numLayers: config.MappingLayers, embedFeatures: config.MappingEmbedFeatures,
            layerFeatures: config.MappingLayerFeatures, lastActivation: "linear", lrMultiplier: 1.0);
        register_module("t_mapping", CameraOffsets);
        renderer = new TriGridRenderer(config);
    }

    /// <summary>The configuration.</summary>
    public PanoHeadConfig Config => config;

    /// <summary>StyleGAN2 backbone (mapping and plane synthesis).</summary>
    public StyleGan2Backbone Backbone { get; }

    /// <summary>Super-resolution module.</summary>
    public ISuperResolution SuperResolution { get; }

    /// <summary>Density and colour decoder.</summary>
    public OsgDecoder Decoder { get; }

    /// <summary>Raw-image ToRGB layer (null when the config uses the first three feature channels).</summary>
    public ToRgbLayer? ToRgb { get; }

    /// <summary>Background synthesis network (null when disabled).</summary>
    public SynthesisNetwork? Background { get; }

    /// <summary>Camera translation offset mapping (<c>t_mapping</c>).</summary>
    public MappingNetwork CameraOffsets { get; }

    /// <summary>Number of w vectors of the backbone.</summary>
    public int NumWs => Backbone.Synthesis.NumWs;

    /// <summary>z [N, z_dim], c [N, 25] -> ws [N, num_ws, w_dim].</summary>
    public Tensor Mapping(Tensor z, Tensor c, double truncationPsi = 1, int? truncationCutoff = null)
    {
        var label = config.CGenConditioningZero ? torch.zeros_like(c) : c.Times(config.CScale);
        return Backbone.Mapping.Forward(z, label, truncationPsi, truncationCutoff);
    }

    /// <summary>
    /// PanoHead's self-adaptive camera (<c>apply_delta_c</c>): <c>t_mapping</c> maps z and the (scaled) label to a
    /// translation offset added to the cam2world translation (entries 3, 7, 11). z [N, z_dim], c [N, 25] -> c [N, 25].
    /// </summary>
    public Tensor ApplyCameraOffset(Tensor z, Tensor c, double truncationPsi = 1, int? truncationCutoff = null)
    {
        using var scope = torch.NewDisposeScope();
        var label = config.CGenConditioningZero ? torch.zeros_like(c) : c;
        var delta = CameraOffsets.Forward(z, label.Times(config.CScale), truncationPsi, truncationCutoff).squeeze(1); // [N, 3]
        var columns = torch.tensor(new long[] { 3, 7, 11 }, device: c.device);
        var offset = torch.zeros_like(label).index_copy(1, columns, delta.to(label.dtype));
        return (label.Plus(offset)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Upstream <c>TriPlaneGenerator.forward</c>: ws from z and c, the camera moved by <see cref="ApplyCameraOffset"/>, then
    /// <see cref="Synthesis"/> (super-resolution noise from the config). z [N, z_dim], c [N, 25].
    /// </summary>
    public TriGridRender Forward(Tensor z, Tensor c, double truncationPsi = 1, int? truncationCutoff = null, int? neuralRenderingResolution = null,
        NoiseMode noiseMode = NoiseMode.Random, IRayRandomSource? random = null)
    {
        using var scope = torch.NewDisposeScope();
        var ws = Mapping(z, c, truncationPsi, truncationCutoff);
        var moved = ApplyCameraOffset(z, c, truncationPsi, truncationCutoff);
        var render = Synthesis(ws, moved, noiseMode, config.SuperResolutionNoise, neuralRenderingResolution: neuralRenderingResolution, random: random);
        return new TriGridRender(render.Image.MoveToOuterDisposeScope(), render.ImageRaw.MoveToOuterDisposeScope(),
            render.Depth.MoveToOuterDisposeScope(), render.Mask.MoveToOuterDisposeScope());
    }

    /// <summary>The planes [N, 3, C*D, H, W] for ws.</summary>
    public Tensor Planes(Tensor ws, NoiseMode noiseMode)
    {
        var planes = Backbone.Synthesis.Forward(ws, noiseMode);
        return planes.view(planes.shape[0], 3, config.TriplaneChannels * config.TriplaneDepth, planes.shape[2], planes.shape[3]);
    }

    /// <summary>Renders ws [N, num_ws, w_dim] from cameras c [N, 25].</summary>
    /// <param name="ws">Latents.</param>
    /// <param name="c">Camera labels.</param>
    /// <param name="noiseMode">Noise of the backbone and background synthesis.</param>
    /// <param name="superResolutionNoise">Noise of the super-resolution blocks (official: none).</param>
    /// <param name="generator">Random source of the ray sample jitter (null: the global one).</param>
    /// <param name="neuralRenderingResolution">Raw render side (null: the config's).</param>
    /// <param name="random">Source of the ray jitter and importance draws (null: torch's RNG with <paramref name="generator"/>).</param>
    public TriGridRender Synthesis(Tensor ws, Tensor c, NoiseMode noiseMode = NoiseMode.Const, NoiseMode superResolutionNoise = NoiseMode.None,
        torch.Generator? generator = null, int? neuralRenderingResolution = null, IRayRandomSource? random = null)
    {
        using var scope = torch.NewDisposeScope();
        int r = neuralRenderingResolution ?? config.NeuralRenderingResolution;
        long n = ws.shape[0];
        var cam2world = c.narrow(1, 0, 16).view(-1, 4, 4);
        var intrinsics = c.narrow(1, 16, 9).view(-1, 3, 3);
        var (origins, directions) = TriGridRenderer.Rays(cam2world, intrinsics, r);
        var planes = Planes(ws, noiseMode);
        var output = renderer.Render(planes, Decoder, origins, directions, random ?? new TorchRayRandomSource(generator));

        var features = output.Features.permute(0, 2, 1).reshape(n, output.Features.shape[2], r, r).contiguous();
        var depth = output.Depth.permute(0, 2, 1).reshape(n, 1, r, r);
        var weights = output.Weights.permute(0, 2, 1).reshape(n, 1, r, r);
        if (Decoder.Activation == "sigmoid") features = features.Times(2).Minus(1);
        if (Background is not null)
        {
            var bgWs = ws.narrow(1, 0, Math.Min(ws.shape[1], Background.NumWs));
            if (bgWs.shape[1] < Background.NumWs)
                bgWs = torch.cat(new[] { bgWs, bgWs.narrow(1, bgWs.shape[1] - 1, 1).repeat(1, Background.NumWs - bgWs.shape[1], 1) }, 1);
            var background = Background.Forward(bgWs, noiseMode);
            background = torch.nn.functional.interpolate(background, new long[] { r, r }, mode: InterpolationMode.Bilinear, align_corners: false, antialias: config.SuperResolutionAntialias);
            features = features.Plus((weights.SubtractedFrom(1)) * background);
        }
        var raw = ToRgb is not null ? ToRgb.Forward(features, ws.select(1, ws.shape[1] - 1), fusedModconv: false).to(ScalarType.Float32) : features.narrow(1, 0, 3);
        var image = SuperResolution.Forward(raw, features, ws, superResolutionNoise);
        var mask = weights.Times(1 + 2 * 0.001).Minus(0.001);
        return new TriGridRender(image.MoveToOuterDisposeScope(), raw.MoveToOuterDisposeScope(), depth.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }
}
