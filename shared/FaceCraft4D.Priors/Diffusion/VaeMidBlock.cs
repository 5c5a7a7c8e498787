using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>diffusers <c>UNetMidBlock2D</c> as used by the VAE: <c>resnets.0</c> → <c>attentions.0</c> → <c>resnets.1</c>.</summary>
public sealed class VaeMidBlock : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<VaeAttentionBlock>? attentions;

    public VaeMidBlock(long channels, long groups, bool addAttention, Device? device = null, string activation = "silu")
        : base(nameof(VaeMidBlock))
    {
        resnets = nn.ModuleList(
            new ResnetBlock2D(channels, channels, null, groups, 1e-6, 1.0, device, activation),
            new ResnetBlock2D(channels, channels, null, groups, 1e-6, 1.0, device, activation));
        register_module(nameof(resnets), resnets);
        if (addAttention)
        {
            attentions = nn.ModuleList(new VaeAttentionBlock(channels, groups, 1e-6, device));
            register_module(nameof(attentions), attentions);
        }
    }

    /// <param name="x">[B, C, H, W]</param>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].forward(x, null);
        if (attentions is not null) h = attentions[0].forward(h);
        h = resnets[1].forward(h, null);
        return h.MoveToOuterDisposeScope();
    }
}
