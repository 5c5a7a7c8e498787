using TorchSharp;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>StyleGAN2 <c>Generator</c> used as the tri-grid backbone: <c>mapping</c> and <c>synthesis</c>.</summary>
public sealed class StyleGan2Backbone : torch.nn.Module
{
    /// <summary>Creates the backbone.</summary>
    public StyleGan2Backbone(int zDim, int cDim, int wDim, int imgResolution, int imgChannels, int mappingLayers, int channelBase, int channelMax, double? convClamp)
        : base(nameof(StyleGan2Backbone))
    {
        Synthesis = new SynthesisNetwork(wDim, imgResolution, imgChannels, channelBase, channelMax, convClamp);
        Mapping = new MappingNetwork(zDim, cDim, wDim, Synthesis.NumWs, mappingLayers);
        register_module("synthesis", Synthesis);
        register_module("mapping", Mapping);
    }

    /// <summary>The synthesis network.</summary>
    public SynthesisNetwork Synthesis { get; }

    /// <summary>The mapping network.</summary>
    public MappingNetwork Mapping { get; }
}
