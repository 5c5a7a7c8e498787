using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>diffusers <c>UNetMidBlock2DCrossAttn</c> with one layer: <c>resnets.0</c> → <c>attentions.0</c> → <c>resnets.1</c>.</summary>
public sealed class UNetMidBlock2DCrossAttn : nn.Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Transformer2DModel> attentions;

    public UNetMidBlock2DCrossAttn(long channels, long tembChannels, int heads, int transformerDepth, long crossAttentionDim,
        long groups, double eps, double outputScaleFactor, bool useLinearProjection, bool upcastAttention, Device? device = null)
        : base(nameof(UNetMidBlock2DCrossAttn))
    {
        resnets = nn.ModuleList(
            new ResnetBlock2D(channels, channels, tembChannels, groups, eps, outputScaleFactor, device),
            new ResnetBlock2D(channels, channels, tembChannels, groups, eps, outputScaleFactor, device));
        attentions = nn.ModuleList(new Transformer2DModel(heads, (int)(channels / heads), channels, transformerDepth, crossAttentionDim,
            groups, useLinearProjection, upcastAttention, device));
        register_module(nameof(resnets), resnets);
        register_module(nameof(attentions), attentions);
    }

    /// <param name="x">[B, C, H, W]</param>
    public Tensor Forward(Tensor x, Tensor temb, Tensor? context)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].forward(x, temb);
        h = attentions[0].forward(h, context);
        h = resnets[1].forward(h, temb);
        return h.MoveToOuterDisposeScope();
    }
}
