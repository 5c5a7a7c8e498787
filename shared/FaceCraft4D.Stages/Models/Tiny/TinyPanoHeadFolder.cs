using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using FaceCraft4D.Weights;
using TorchSharp;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>
/// A tiny PanoHead folder in the layout the <c>panohead</c> shape prior loads (shared/FaceCraft4D.Vision/ShapePrior/README.md):
/// <c>generator.safetensors</c> (a <see cref="PanoHeadConfig.Tiny"/> tri-grid generator: 16-px planes, depth 2, 8-px raw
/// render, 32-px output, under the official <c>G_ema</c> state-dict names) and <c>config.json</c>
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
            SeededReinitialisation.Apply(generator, seed);
            // A random decoder's density is too thin for any ray to reach opacity 0.5 (no depth anywhere); raise its
            // density bias so the tri-grid box is opaque and the views get depth maps that agree between cameras.
            using (torch.no_grad())
                generator.state_dict()[DensityBias][0] = DensityBiasValue;
            await InMemorySafeTensors.FromStateDict(generator).WriteAsync(Path.Combine(folder, "generator.safetensors"), cancellationToken).ConfigureAwait(false);
        }
        await File.WriteAllTextAsync(Path.Combine(folder, PanoHeadModelConfig.FileName), PanoHeadModelConfig.Serialize(config), cancellationToken).ConfigureAwait(false);
    }
}
