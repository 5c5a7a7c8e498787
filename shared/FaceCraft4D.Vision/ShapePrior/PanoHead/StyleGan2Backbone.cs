using TorchSharp;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>StyleGAN2 <c>Generator</c> used as the tri-grid backbone: <c>mapping</c> and <c>synthesis</c>.</summary>
public sealed class StyleGan2Backbone : torch.nn.Module
{
    /// <summary>Creates the backbone.</summary>
    public StyleGan2Backbone(int zDim, int cDim, int wDim, int imgResolution, int imgChannels, int mappingLayers, int channelBase, int channelMax, double? convClamp,
        int? mappingEmbedFeatures = null, int? mappingLayerFeatures = null, bool fusedModconv = true)
        : base(nameof(StyleGan2Backbone))
    {
        // Fields named as the upstream sub-modules: TorchSharp also registers module-typed fields by their field name, so
        // an auto-property's backing field would add a second copy of every tensor to the state dict.
        synthesis = new SynthesisNetwork(wDim, imgResolution, imgChannels, channelBase, channelMax, convClamp, fusedModconv);
        mapping = new MappingNetwork(zDim, cDim, wDim, synthesis.NumWs, mappingLayers, mappingEmbedFeatures, mappingLayerFeatures);
        register_module("synthesis", synthesis);
        register_module("mapping", mapping);
    }

    private readonly SynthesisNetwork synthesis;
    private readonly MappingNetwork mapping;

    /// <summary>The synthesis network.</summary>
    public SynthesisNetwork Synthesis => synthesis;

    /// <summary>The mapping network.</summary>
    public MappingNetwork Mapping => mapping;
}
