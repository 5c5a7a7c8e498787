using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>Transformer2DModel</c> (continuous input): GroupNorm (eps 1e-6) → <c>proj_in</c> (1×1 conv, or linear
/// when <c>use_linear_projection</c>) → <c>transformer_blocks</c> on the flattened tokens → <c>proj_out</c> → + input.
/// </summary>
public sealed class Transformer2DModel : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm norm;
    private readonly nn.Module<Tensor, Tensor> proj_in;
    private readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    private readonly nn.Module<Tensor, Tensor> proj_out;
    private readonly bool _linear;

    public Transformer2DModel(int heads, int headDim, long channels, int depth, long crossAttentionDim, long groups,
        bool useLinearProjection, bool upcastAttention, Device? device = null, bool onlyCrossAttention = false)
        : base(nameof(Transformer2DModel))
    {
        _linear = useLinearProjection;
        long inner = (long)heads * headDim;
        norm = nn.GroupNorm(groups, channels, 1e-6, device: device);
        proj_in = useLinearProjection ? nn.Linear(channels, inner, device: device) : nn.Conv2d(channels, inner, 1, device: device);
        transformer_blocks = nn.ModuleList(Enumerable.Range(0, depth)
            .Select(_ => new BasicTransformerBlock(inner, heads, headDim, crossAttentionDim, upcastAttention, device, onlyCrossAttention)).ToArray());
        proj_out = useLinearProjection ? nn.Linear(inner, channels, device: device) : nn.Conv2d(inner, channels, 1, device: device);
        register_module(nameof(norm), norm);
        register_module(nameof(proj_in), proj_in);
        register_module(nameof(transformer_blocks), transformer_blocks);
        register_module(nameof(proj_out), proj_out);
    }

    /// <param name="x">[B, C, H, W]</param>
    /// <param name="context">[B, M, crossDim]</param>
    /// <returns>[B, C, H, W]</returns>
    public override Tensor forward(Tensor x, Tensor? context)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], hgt = x.shape[2], wid = x.shape[3];
        var h = norm.forward(x);
        long inner;
        if (!_linear)
        {
            h = proj_in.forward(h);
            inner = h.shape[1];
            h = h.permute(0, 2, 3, 1).reshape(b, hgt * wid, inner);
        }
        else
        {
            h = h.permute(0, 2, 3, 1).reshape(b, hgt * wid, c);
            h = proj_in.forward(h);
            inner = h.shape[2];
        }
        foreach (var block in transformer_blocks) h = block.forward(h, context);
        if (!_linear)
        {
            h = h.reshape(b, hgt, wid, inner).permute(0, 3, 1, 2).contiguous();
            h = proj_out.forward(h);
        }
        else
        {
            h = proj_out.forward(h);
            h = h.reshape(b, hgt, wid, c).permute(0, 3, 1, 2).contiguous();
        }
        return h.Plus(x).MoveToOuterDisposeScope();
    }
}
