using FaceCraft4D.Stages.ShapePrior;
using FaceCraft4D.Vision.ShapePrior.PanoHead;
using TorchSharp;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>
/// A tiny PanoHead folder in the layout the <c>panohead</c> shape prior loads (shared/FaceCraft4D.Vision/ShapePrior/README.md):
/// <c>generator.safetensors</c> (a <see cref="PanoHeadConfig.Tiny"/> tri-grid generator: 16-px planes, depth 2, 8-px raw
/// render, 32-px output, under the official <c>G_ema</c> state-dict names), <c>lpips-vgg16.safetensors</c> (LPIPS has one
/// architecture: the full VGG-16 trunk, 14.7 M parameters, 59 MB, random) and <c>config.json</c>
/// (<see cref="PanoHeadModelConfig"/>) saying the generator is the tiny one. Weights come from the networks' own
/// upstream initialisation under the seeded global torch generator.
/// </summary>
public static class TinyPanoHeadFolder
{
    /// <summary>Writes the folder (created if needed; files overwritten).</summary>
    public static async Task WriteAsync(string folder, long seed, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var config = PanoHeadConfig.Tiny;
        // The ports initialise like upstream from torch's global generator: seed it for reproducible files.
        torch.random.manual_seed(seed);
        using (var generator = new TriGridGenerator(config))
            await NamedWeights.Save(generator).WriteAsync(Path.Combine(folder, "generator.safetensors"), cancellationToken).ConfigureAwait(false);
        using (var lpips = new LpipsVgg16())
            await NamedWeights.Save(lpips).WriteAsync(Path.Combine(folder, "lpips-vgg16.safetensors"), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, PanoHeadModelConfig.FileName), PanoHeadModelConfig.Serialize(config), cancellationToken).ConfigureAwait(false);
    }
}
