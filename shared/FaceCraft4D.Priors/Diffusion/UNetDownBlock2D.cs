using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>CrossAttnDownBlock2D</c> (with <c>attentions</c>) or <c>DownBlock2D</c> (without): per layer a
/// <c>resnets.i</c> then optionally <c>attentions.i</c>; then <c>downsamplers.0</c> unless it is the last block.
/// Every layer output (and the downsampled output) is kept for the skip connections.
/// </summary>
public sealed class UNetDownBlock2D : nn.Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Transformer2DModel>? attentions;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public UNetDownBlock2D(long inChannels, long outChannels, long tembChannels, int numLayers, bool hasCrossAttention,
        int[] transformerDepths, int heads, long crossAttentionDim, bool addDownsample, long downsamplePadding,
        long groups, double eps, bool useLinearProjection, bool upcastAttention, Device? device = null,
        string activation = "silu", string timeEmbeddingNorm = "default", bool onlyCrossAttention = false)
        : base(nameof(UNetDownBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, tembChannels, groups, eps, 1.0, device,
                activation, timeEmbeddingNorm)).ToArray());
        register_module(nameof(resnets), resnets);
        if (hasCrossAttention)
        {
            attentions = nn.ModuleList(Enumerable.Range(0, numLayers)
                .Select(i => new Transformer2DModel(heads, (int)(outChannels / heads), outChannels, transformerDepths[i], crossAttentionDim,
                    groups, useLinearProjection, upcastAttention, device, onlyCrossAttention)).ToArray());
            register_module(nameof(attentions), attentions);
        }
        if (addDownsample)
        {
            downsamplers = nn.ModuleList(new Downsample2D(outChannels, downsamplePadding, device));
            register_module(nameof(downsamplers), downsamplers);
        }
    }

    /// <param name="x">[B, Cin, H, W]</param>
    /// <param name="temb">[B, Ctemb]</param>
    /// <param name="context">[B, M, crossDim] (ignored without attentions)</param>
    /// <returns>Output [B, Cout, H', W'] and the skip states, in order (the last is the output).</returns>
    public (Tensor Output, List<Tensor> Skips) Forward(Tensor x, Tensor temb, Tensor? context)
    {
        var skips = new List<Tensor>();
        var h = x;
        for (int i = 0; i < resnets.Count; i++)
        {
            var r = resnets[i].forward(h, temb);
            if (attentions is not null)
            {
                var a = attentions[i].forward(r, context);
                r.Dispose();
                r = a;
            }
            h = r;
            skips.Add(h);
        }
        if (downsamplers is not null)
        {
            h = downsamplers[0].forward(h);
            skips.Add(h);
        }
        return (h, skips);
    }
}
