using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>Attention</c> as used by the UNet's transformer blocks: <c>to_q, to_k, to_v</c> (no bias) and
/// <c>to_out.0</c> (with bias; <c>to_out.1</c> is dropout). The computation is delegated to <see cref="Processor"/>.
/// <see cref="Path"/> is the module's dotted name inside the UNet (e.g.
/// <c>up_blocks.1.attentions.0.transformer_blocks.0.attn1</c>), assigned when the UNet is built.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;

    /// <param name="queryDim">Width of the query source.</param>
    /// <param name="crossAttentionDim">Width of the context, or null for self-attention.</param>
    public Attention(long queryDim, long? crossAttentionDim, int heads, int headDim, bool upcastAttention, Device? device = null)
        : base(nameof(Attention))
    {
        Heads = heads;
        HeadDim = headDim;
        IsCrossAttention = crossAttentionDim is not null;
        UpcastAttention = upcastAttention;
        long inner = (long)heads * headDim;
        to_q = nn.Linear(queryDim, inner, hasBias: false, device: device);
        to_k = nn.Linear(crossAttentionDim ?? queryDim, inner, hasBias: false, device: device);
        to_v = nn.Linear(crossAttentionDim ?? queryDim, inner, hasBias: false, device: device);
        to_out = nn.ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(inner, queryDim, device: device), nn.Dropout(0.0));
        register_module(nameof(to_q), to_q);
        register_module(nameof(to_k), to_k);
        register_module(nameof(to_v), to_v);
        register_module(nameof(to_out), to_out);
    }

    public int Heads { get; }
    public int HeadDim { get; }
    public bool IsCrossAttention { get; }
    public bool UpcastAttention { get; }
    public string Path { get; internal set; } = "";

    /// <summary>The pluggable computation; defaults to standard scaled dot-product attention.</summary>
    public IAttentionProcessor Processor { get; set; } = ScaledDotProductAttentionProcessor.Instance;

    /// <param name="hiddenStates">[B, N, C]</param>
    /// <param name="encoderHiddenStates">[B, M, Cctx] (cross-attention) or null (self-attention).</param>
    public override Tensor forward(Tensor hiddenStates, Tensor? encoderHiddenStates)
        => Processor.Process(this, hiddenStates, IsCrossAttention ? encoderHiddenStates : null);

    /// <summary>[B, N, C] → [B, N, heads·headDim]</summary>
    public Tensor ProjectQuery(Tensor x) => to_q.forward(x);

    /// <summary>[B, M, Cctx] → [B, M, heads·headDim]</summary>
    public Tensor ProjectKey(Tensor x) => to_k.forward(x);

    /// <summary>[B, M, Cctx] → [B, M, heads·headDim]</summary>
    public Tensor ProjectValue(Tensor x) => to_v.forward(x);

    /// <summary>[B, N, heads·headDim] → [B, N, C]</summary>
    public Tensor ProjectOutput(Tensor x) => to_out[0].forward(x);

    /// <summary>
    /// Multi-head softmax(QKᵀ/√headDim)V on already projected tensors: q [B, N, inner], k and v [B, M, inner] →
    /// [B, N, inner]. Computed in float32 when <see cref="UpcastAttention"/> is set and the inputs are half precision.
    /// </summary>
    public Tensor MultiHeadAttention(Tensor q, Tensor k, Tensor v)
    {
        using var scope = NewDisposeScope();
        long b = q.shape[0], n = q.shape[1], m = k.shape[1];
        var dtype = q.dtype;
        bool upcast = UpcastAttention && dtype is ScalarType.Float16 or ScalarType.BFloat16;
        Tensor Split(Tensor t, long len)
        {
            var r = t.view(b, len, Heads, HeadDim).transpose(1, 2);
            return upcast ? r.to(ScalarType.Float32) : r;
        }
        var o = nn.functional.scaled_dot_product_attention(Split(q, n), Split(k, m), Split(v, m));
        o = o.transpose(1, 2).reshape(b, n, (long)Heads * HeadDim);
        if (upcast) o = o.to(dtype);
        return o.MoveToOuterDisposeScope();
    }
}
