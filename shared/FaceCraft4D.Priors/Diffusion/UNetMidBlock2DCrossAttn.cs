using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// The UNet's mid block: diffusers <c>UNetMidBlock2DCrossAttn</c> with one layer (<c>resnets.0</c> → <c>attentions.0</c>
/// → <c>resnets.1</c>), or, built without attention, the <c>UNetMidBlock2D</c> that UNet2DConditionModel makes for
/// <c>mid_block_type="UNetMidBlock2D"</c> (num_layers 0: <c>resnets.0</c> only).
/// </summary>
public sealed class UNetMidBlock2DCrossAttn : nn.Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Transformer2DModel>? attentions;

    public UNetMidBlock2DCrossAttn(long channels, long tembChannels, int heads, int transformerDepth, long crossAttentionDim,
        long groups, double eps, double outputScaleFactor, bool useLinearProjection, bool upcastAttention, Device? device = null,
        string activation = "silu", string timeEmbeddingNorm = "default", bool withCrossAttention = true)
        : base(nameof(UNetMidBlock2DCrossAttn))
    {
        ResnetBlock2D Resnet() => new(channels, channels, tembChannels, groups, eps, outputScaleFactor, device, activation, timeEmbeddingNorm);
        resnets = withCrossAttention ? nn.ModuleList(Resnet(), Resnet()) : nn.ModuleList(Resnet());
        register_module(nameof(resnets), resnets);
        if (withCrossAttention)
        {
            attentions = nn.ModuleList(new Transformer2DModel(heads, (int)(channels / heads), channels, transformerDepth, crossAttentionDim,
                groups, useLinearProjection, upcastAttention, device));
            register_module(nameof(attentions), attentions);
        }
    }

    /// <param name="x">[B, C, H, W]</param>
    /// <param name="temb">[B, Ctemb]</param>
    /// <param name="context">[B, M, crossDim]</param>
    public Tensor Forward(Tensor x, Tensor temb, Tensor? context)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].forward(x, temb);
        if (attentions is not null)
        {
            h = attentions[0].forward(h, context);
            h = resnets[1].forward(h, temb);
        }
        return h.MoveToOuterDisposeScope();
    }
}
