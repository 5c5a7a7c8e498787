using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using TorchSharp;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>
/// A tiny PanoHead folder in the layout the <c>panohead</c> shape prior loads (shared/FaceCraft4D.Vision/ShapePrior/README.md):
/// <c>generator.safetensors</c> (a <see cref="PanoHeadConfig.Tiny"/> tri-grid generator: 16-px planes, depth 2, 8-px raw
/// render, 32-px output, under the official <c>G_ema</c> state-dict names), <c>lpips-vgg16.safetensors</c> (LPIPS has one
/// architecture: the full VGG-16 trunk, 14.7 M parameters, 59 MB, random) and <c>config.json</c>
/// (<see cref="PanoHeadModelConfig"/>) saying the generator is the tiny one. Weights: the networks' own upstream
/// initialisation, redrawn from the seed (same seed, same files), with the density bias raised (<see cref="DensityBiasValue"/>).
/// </summary>
public static class TinyPanoHeadFolder
{
    /// <summary>The decoder's output bias; entry 0 is the raw density (then softplus(x - 1) in the ray marcher).</summary>
    public const string DensityBias = "decoder.net.2.bias";

    /// <summary>Raw density bias of the tiny generator (softplus(3) = 3 per generator unit: opaque within the box).</summary>
    public const float DensityBiasValue = 4f;

    /// <summary>Writes the folder (created if needed; files overwritten).</summary>
    public static async Task WriteAsync(string folder, long seed, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var config = PanoHeadConfig.Tiny;
        using (var generator = new TriGridGenerator(config))
        {
            Reseed(generator, seed);
            // A random decoder's density is too thin for any ray to reach opacity 0.5 (no depth anywhere); raise its
            // density bias so the tri-grid box is opaque and the views get depth maps that agree between cameras.
            using (torch.no_grad())
                generator.state_dict()[DensityBias][0] = DensityBiasValue;
            await NamedWeights.Save(generator).WriteAsync(Path.Combine(folder, "generator.safetensors"), cancellationToken).ConfigureAwait(false);
        }
        using (var lpips = new LpipsVgg16())
        {
            Reseed(lpips, seed + 1);
            await NamedWeights.Save(lpips).WriteAsync(Path.Combine(folder, "lpips-vgg16.safetensors"), cancellationToken).ConfigureAwait(false);
        }
        await File.WriteAllTextAsync(Path.Combine(folder, PanoHeadModelConfig.FileName), PanoHeadModelConfig.Serialize(config), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Redraws the random tensors (weights, random biases, constant inputs, fixed noise) from a private seeded generator with
    /// the mean and spread the network's own initialisation gave them; constant biases, FIR filters, scaling buffers and zeros
    /// stay as built. The
    /// ports draw their initialisation from torch's global generator, which concurrent code may use too.
    /// </summary>
    private static void Reseed(torch.nn.Module module, long seed)
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
            tensor.copy_(torch.randn(tensor.shape, torch.ScalarType.Float32, torch.CPU, generator: generator) * std + mean);
        }
    }
}
