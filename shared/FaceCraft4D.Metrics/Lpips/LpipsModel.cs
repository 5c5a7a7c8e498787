using FaceCraft4D.Metrics.Models;
using FaceCraft4D.Vision.Perceptual;
using TorchSharp;
using FaceCraft4D.Weights;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Lpips;

/// <summary>
/// The <c>lpips</c> metric's network: the vision library's <see cref="LpipsNetwork"/>, loaded from the one LPIPS weights
/// file that COIN and the PanoHead inversion use too, <c>models/lpips/{version}/lpips-vgg16.safetensors</c>
/// (<see cref="LpipsWeights"/>: the <c>lpips</c> package's <c>LPIPS(net='vgg')</c> state dict; trunk and widths are read
/// from the keys).
/// </summary>
public sealed class LpipsModel : IDisposable
{
    /// <summary>The weights file inside the version folder.</summary>
    public const string WeightsFile = LpipsWeights.FileName;

    /// <summary>Wraps an already loaded network (e.g. one built in tests), taking ownership.</summary>
    public LpipsModel(LpipsNetwork network, string name)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Name = name;
    }

    public LpipsNetwork Network { get; }

    /// <summary>Recorded backend, e.g. <c>lpips:vgg16/v0.1</c>.</summary>
    public string Name { get; }

    /// <summary>Loads <c>{folder}/lpips-vgg16.safetensors</c> strictly onto <paramref name="device"/>.</summary>
    /// <exception cref="ModelFolderException">The file is not there.</exception>
    /// <exception cref="InvalidDataException">It is not an LPIPS state dict.</exception>
    public static async Task<LpipsModel> LoadAsync(string folder, string version, Device device, CancellationToken ct)
    {
        ModelFiles.Require(folder, WeightsFile);
        var network = await LpipsWeights.LoadAsync(Path.Combine(folder, WeightsFile), ct).ConfigureAwait(false);
        network.to(device);
        return new LpipsModel(network, $"lpips:{network.Config.TrunkName}/{version}");
    }

    /// <summary>LPIPS per pair [N] of images [N, 3, H, W] in [0, 1] (no gradients).</summary>
    public Tensor Distance(Tensor x, Tensor y)
    {
        using var _ = torch.no_grad();
        return Network.Distance(x, y, normalize: true);
    }

    public void Dispose() => Network.Dispose();
}
