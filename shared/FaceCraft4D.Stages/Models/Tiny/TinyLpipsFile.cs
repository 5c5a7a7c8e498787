using FaceCraft4D.Vision.Perceptual;
using FaceCraft4D.Weights;

namespace FaceCraft4D.Stages.Models.Tiny;

/// <summary>
/// The one LPIPS file (<see cref="LpipsWeights.DefaultModelPath"/>, read by the PanoHead inversion, COIN's perceptual loss and
/// the metric) with seeded random weights. LPIPS has one architecture: the full VGG-16 trunk, 14.7 M parameters, 59 MB.
/// The linear heads are made non-negative, as the learned ones are (a distance never goes below zero).
/// </summary>
public static class TinyLpipsFile
{
    /// <summary>Writes the file at <paramref name="path"/> (folders created; overwritten).</summary>
    public static async Task WriteAsync(string path, long seed, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var lpips = new LpipsNetwork(LpipsConfig.Vgg16);
        SeededReinitialisation.Apply(lpips, seed);
        using (TorchSharp.torch.no_grad())
            foreach (var (name, tensor) in lpips.state_dict())
                if (name.StartsWith("lin", StringComparison.Ordinal))
                    tensor.abs_();
        await InMemorySafeTensors.FromStateDict(lpips).WriteAsync(path, cancellationToken).ConfigureAwait(false);
    }
}
