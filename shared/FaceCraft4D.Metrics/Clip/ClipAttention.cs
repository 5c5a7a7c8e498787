using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>HF <c>CLIPAttention</c>: <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>out_proj</c> (all with bias), multi-head softmax attention.</summary>
public sealed class ClipAttention : nn.Module<Tensor, Tensor>
{
    private readonly Linear q_proj, k_proj, v_proj, out_proj;
    private readonly int heads;

    public ClipAttention(ClipVisionConfig config) : base("CLIPAttention")
    {
        heads = config.NumAttentionHeads;
        q_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        k_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        v_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        out_proj = nn.Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>x [N, T, D] → [N, T, D].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0], t = x.shape[1], d = x.shape[2];
        Tensor Split(Tensor h) => h.reshape(n, t, heads, d / heads).transpose(1, 2); // [N, H, T, d]
        var o = nn.functional.scaled_dot_product_attention(Split(q_proj.forward(x)), Split(k_proj.forward(x)), Split(v_proj.forward(x)));
        return out_proj.forward(o.transpose(1, 2).reshape(n, t, d)).MoveToOuterDisposeScope();
    }
}
