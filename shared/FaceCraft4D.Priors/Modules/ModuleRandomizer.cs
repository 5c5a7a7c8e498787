using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Priors.Modules;

/// <summary>
/// Deterministic random weights for tests and benchmarks: every tensor of the state dict is refilled from a
/// generator seeded with <c>seed</c> (independent of the global torch RNG, so parallel code cannot disturb it).
/// Matrices/kernels: N(0, 1/fan_in); biases: N(0, 0.02²); norm scales: 1 + N(0, 0.05²); BatchNorm running stats
/// kept plausible (variance in [0.5, 1.5]); spectral-norm vectors unit-length. Real use loads official weights.
/// Number operands go through <see cref="HeldScalarOps"/> (TorchSharp#1434: two instances with one seed must be equal).
/// </summary>
public static class ModuleRandomizer
{
    public static void Randomize(nn.Module module, long seed)
    {
        using var generator = new Generator((ulong)seed, torch.CPU);
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (tensor.device.type == DeviceType.META || !tensor.is_floating_point()) continue;
            using var scope = torch.NewDisposeScope();
            var shape = tensor.shape;
            Tensor Normal() => torch.randn(shape, ScalarType.Float32, torch.CPU, generator: generator);
            Tensor value;
            if (name.EndsWith("running_var", StringComparison.Ordinal))
                value = torch.rand(shape, ScalarType.Float32, torch.CPU, generator: generator).Plus(0.5);
            else if (name.EndsWith("running_mean", StringComparison.Ordinal))
                value = Normal().Times(0.1);
            else if (name.EndsWith("weight_u", StringComparison.Ordinal) || name.EndsWith("weight_v", StringComparison.Ordinal))
            {
                var n = Normal();
                value = n / n.norm();
            }
            else if (name.EndsWith(".gamma", StringComparison.Ordinal) || name.EndsWith(".beta", StringComparison.Ordinal))
                value = Normal().Times(0.1);
            else if (shape.Length >= 2)
            {
                long fanIn = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                value = Normal().Times(1.0 / Math.Sqrt(fanIn));
            }
            else if (name.EndsWith("bias", StringComparison.Ordinal))
                value = Normal().Times(0.02);
            else
                value = Normal().Times(0.05).Plus(1.0);
            tensor.copy_(value.to(tensor.dtype, tensor.device));
        }
    }
}
