using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>CrossAttnUpBlock2D</c> / <c>UpBlock2D</c>: per layer concatenate the next skip state (popped from the
/// end), <c>resnets.i</c>, optionally <c>attentions.i</c>; then <c>upsamplers.0</c> unless it is the last block.
/// ResNet i takes (i == 0 ? prevOutput : out) + (i == last ? in : out) channels.
/// </summary>
public sealed class UNetUpBlock2D : nn.Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Transformer2DModel>? attentions;
    private readonly ModuleList<Upsample2D>? upsamplers;

    public UNetUpBlock2D(long inChannels, long prevOutputChannels, long outChannels, long tembChannels, int numLayers,
        bool hasCrossAttention, int[] transformerDepths, int heads, long crossAttentionDim, bool addUpsample,
        long groups, double eps, bool useLinearProjection, bool upcastAttention, Device? device = null,
        string activation = "silu", string timeEmbeddingNorm = "default", bool onlyCrossAttention = false)
        : base(nameof(UNetUpBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers).Select(i =>
        {
            long skip = i == numLayers - 1 ? inChannels : outChannels;
            long resIn = i == 0 ? prevOutputChannels : outChannels;
            return new ResnetBlock2D(resIn + skip, outChannels, tembChannels, groups, eps, 1.0, device, activation, timeEmbeddingNorm);
        }).ToArray());
        register_module(nameof(resnets), resnets);
        if (hasCrossAttention)
        {
            attentions = nn.ModuleList(Enumerable.Range(0, numLayers)
                .Select(i => new Transformer2DModel(heads, (int)(outChannels / heads), outChannels, transformerDepths[i], crossAttentionDim,
                    groups, useLinearProjection, upcastAttention, device, onlyCrossAttention)).ToArray());
            register_module(nameof(attentions), attentions);
        }
        if (addUpsample)
        {
            upsamplers = nn.ModuleList(new Upsample2D(outChannels, device));
            register_module(nameof(upsamplers), upsamplers);
        }
    }

    /// <summary>Number of skip states this block consumes.</summary>
    public int LayerCount => resnets.Count;

    /// <param name="x">[B, Cprev, H, W]</param>
    /// <param name="skips">The block's skip states in down-pass order; consumed from the end.</param>
    /// <param name="upsampleSize">Spatial size to upsample to (the next block's skip size), or null for ×2.</param>
    public Tensor Forward(Tensor x, IReadOnlyList<Tensor> skips, Tensor temb, Tensor? context, long[]? upsampleSize)
    {
        using var scope = NewDisposeScope();
        var h = x;
        for (int i = 0; i < resnets.Count; i++)
        {
            var skip = skips[skips.Count - 1 - i];
            h = resnets[i].forward(torch.cat([h, skip], 1), temb);
            if (attentions is not null) h = attentions[i].forward(h, context);
        }
        if (upsamplers is not null) h = upsamplers[0].forward(h, upsampleSize);
        return h.MoveToOuterDisposeScope();
    }
}
