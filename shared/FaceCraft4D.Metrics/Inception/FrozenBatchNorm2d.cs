using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Inception;

/// <summary>
/// Inference-only BatchNorm2d with torchvision's state names <c>weight</c>, <c>bias</c>, <c>running_mean</c>,
/// <c>running_var</c> (no <c>num_batches_tracked</c>: it has no effect in evaluation and old checkpoints lack it).
/// y = (x − mean) / √(var + ε) · weight + bias.
/// </summary>
public sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight, bias;
    private readonly Tensor running_mean, running_var;
    private readonly double eps;

    public FrozenBatchNorm2d(int channels, double eps) : base("BatchNorm2d")
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
        var scale = weight / (running_var + eps).sqrt();
        var shift = bias - running_mean * scale;
        return (x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)).MoveToOuterDisposeScope();
    }
}
