using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// The VAE mid-block attention (diffusers <c>Attention</c> with <c>group_norm</c>, one head of width C, biased
/// <c>to_q/to_k/to_v/to_out.0</c>, residual connection) over the H·W positions of a [B, C, H, W] map.
/// </summary>
public sealed class VaeAttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly GroupNorm group_norm;
    private readonly Linear to_q;
    private readonly Linear to_k;
    private readonly Linear to_v;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;

    public VaeAttentionBlock(long channels, long groups, double eps, Device? device = null) : base(nameof(VaeAttentionBlock))
    {
        group_norm = nn.GroupNorm(groups, channels, eps, device: device);
        to_q = nn.Linear(channels, channels, device: device);
        to_k = nn.Linear(channels, channels, device: device);
        to_v = nn.Linear(channels, channels, device: device);
        to_out = nn.ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(channels, channels, device: device), nn.Dropout(0.0));
        register_module(nameof(group_norm), group_norm);
        register_module(nameof(to_q), to_q);
        register_module(nameof(to_k), to_k);
        register_module(nameof(to_v), to_v);
        register_module(nameof(to_out), to_out);
    }

    /// <param name="x">[B, C, H, W]</param>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var tokens = group_norm.forward(x).view(b, c, h * w).transpose(1, 2);
        var q = to_q.forward(tokens).unsqueeze(1);
        var k = to_k.forward(tokens).unsqueeze(1);
        var v = to_v.forward(tokens).unsqueeze(1);
        var attended = nn.functional.scaled_dot_product_attention(q, k, v).squeeze(1);
        var output = to_out[0].forward(attended).transpose(1, 2).reshape(b, c, h, w);
        return output.Plus(x).MoveToOuterDisposeScope();
    }
}
