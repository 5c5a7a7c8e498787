using FaceCraft4D.Weights.Scalars;
using TorchSharp;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>Re-draws a freshly built network's random tensors from a seed of its own, so tiny model files are reproducible.</summary>
public static class SeededReinitialisation
{
    /// <summary>
    /// Redraws the random tensors (weights, random biases, constant inputs, fixed noise) from a private seeded generator with
    /// the mean and spread the network's own initialisation gave them; constant biases, FIR filters, scaling buffers and zeros
    /// stay as built. The ports draw their initialisation from torch's global generator, which concurrent code may use too.
    /// </summary>
    public static void Apply(torch.nn.Module module, long seed)
    {
        using var generator = new torch.Generator((ulong)seed, torch.CPU);
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            bool random = name.EndsWith("weight", StringComparison.Ordinal) || name.EndsWith("bias", StringComparison.Ordinal) ||
                name.EndsWith("const", StringComparison.Ordinal);
            if (!random || !tensor.is_floating_point() || tensor.numel() < 2) continue;
            using var scope = torch.NewDisposeScope();
            var std = tensor.std().item<float>();
            if (std == 0) continue;
            var mean = tensor.mean().item<float>();
            tensor.copy_(torch.randn(tensor.shape, torch.ScalarType.Float32, torch.CPU, generator: generator).Times(std).Plus(mean));
        }
    }
}
