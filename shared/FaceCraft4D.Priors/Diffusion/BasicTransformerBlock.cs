using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>BasicTransformerBlock</c> (layer_norm variant): self-attention <c>attn1</c>, cross-attention
/// <c>attn2</c> on the text embeddings, GEGLU feed-forward <c>ff</c>, each pre-normalised (<c>norm1..3</c>) and residual.
/// With <c>only_cross_attention</c>, <c>attn1</c> also attends to the text embeddings.
/// </summary>
public sealed class BasicTransformerBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Attention attn1;
    private readonly LayerNorm norm2;
    private readonly Attention attn2;
    private readonly LayerNorm norm3;
    private readonly FeedForward ff;

    public BasicTransformerBlock(long dim, int heads, int headDim, long crossAttentionDim, bool upcastAttention, Device? device = null,
        bool onlyCrossAttention = false)
        : base(nameof(BasicTransformerBlock))
    {
        norm1 = nn.LayerNorm(dim, 1e-5, device: device);
        attn1 = new Attention(dim, onlyCrossAttention ? crossAttentionDim : null, heads, headDim, upcastAttention, device);
        norm2 = nn.LayerNorm(dim, 1e-5, device: device);
        attn2 = new Attention(dim, crossAttentionDim, heads, headDim, upcastAttention, device);
        norm3 = nn.LayerNorm(dim, 1e-5, device: device);
        ff = new FeedForward(dim, 4, device);
        register_module(nameof(norm1), norm1);
        register_module(nameof(attn1), attn1);
        register_module(nameof(norm2), norm2);
        register_module(nameof(attn2), attn2);
        register_module(nameof(norm3), norm3);
        register_module(nameof(ff), ff);
    }

    /// <param name="x">[B, N, dim]</param>
    /// <param name="context">[B, M, crossDim]</param>
    public override Tensor forward(Tensor x, Tensor? context)
    {
        using var scope = NewDisposeScope();
        var h = attn1.forward(norm1.forward(x), attn1.IsCrossAttention ? context : null).Plus(x);
        h = attn2.forward(norm2.forward(h), context).Plus(h);
        h = ff.forward(norm3.forward(h)).Plus(h);
        return h.MoveToOuterDisposeScope();
    }
}
