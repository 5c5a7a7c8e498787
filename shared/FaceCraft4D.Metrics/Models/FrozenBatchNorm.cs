using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Models;

/// <summary>
/// Inference-only BatchNorm (1-D or 2-D) with torch's state names <c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c> (no <c>num_batches_tracked</c>: it has no effect in evaluation and old checkpoints lack it).
/// y = (x − mean) / √(var + ε) · weight + bias over channel dimension 1 of [N, C] or [N, C, H, W].
/// </summary>
public sealed class FrozenBatchNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight, bias;
    private readonly Tensor running_mean, running_var;
    private readonly double eps;

    public FrozenBatchNorm(int channels, double eps) : base("BatchNorm")
    {
        this.eps = eps;
        weight = nn.Parameter(torch.ones(channels));
        bias = nn.Parameter(torch.zeros(channels));
        running_mean = torch.zeros(channels);
        running_var = torch.ones(channels);
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[1] = -1;
        var scale = weight / running_var.Plus(eps).sqrt();
        var shift = bias - running_mean * scale;
        return (x * scale.reshape(shape)).Plus(shift.reshape(shape)).MoveToOuterDisposeScope();
    }
}
