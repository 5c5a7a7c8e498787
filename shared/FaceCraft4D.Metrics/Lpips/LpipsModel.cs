using FaceCraft4D.Metrics.Models;
using FaceCraft4D.Weights;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Lpips;

/// <summary>
/// A loaded LPIPS network. Model folder <c>models/lpips/{version}/</c>:
/// <c>trunk.safetensors</c> — torchvision VGG16 (or AlexNet) ImageNet weights under torchvision's names
/// (<c>features.{i}.weight|bias</c>; <c>classifier.*</c> keys are ignored), and
/// <c>lin.safetensors</c> — the lpips package's <c>weights/{version}/vgg.pth</c> (or <c>alex.pth</c>):
/// <c>lin0.model.1.weight</c> … <c>lin4.model.1.weight</c>. The trunk kind is read from the trunk's keys/shapes.
/// </summary>
public sealed class LpipsModel : IDisposable
{
    public const string TrunkFile = "trunk.safetensors";
    public const string HeadsFile = "lin.safetensors";

    /// <summary>Wraps an already loaded network (e.g. one built in tests).</summary>
    public LpipsModel(LpipsNetwork network, string name)
    {
        Network = network;
        Name = name;
    }

    public LpipsNetwork Network { get; }

    /// <summary>Recorded backend, e.g. <c>lpips:vgg16/v0.1</c>.</summary>
    public string Name { get; }

    public static async Task<LpipsModel> LoadAsync(string folder, string version, Device device, CancellationToken ct)
    {
        ModelFiles.Require(folder, TrunkFile, HeadsFile);
        using var trunk = await SafeTensorsSource.OpenAsync(Path.Combine(folder, TrunkFile), ct).ConfigureAwait(false);
        using var heads = await SafeTensorsSource.OpenAsync(Path.Combine(folder, HeadsFile), ct).ConfigureAwait(false);
        var kind = DetectTrunk(trunk);
        var network = new LpipsNetwork(LpipsConfig.Official(kind));
        try
        {
            await LoadWeightsAsync(network, trunk, heads, ct).ConfigureAwait(false);
            network.To(device);
            return new LpipsModel(network, $"lpips:{network.Config.TrunkName}/{version}");
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Strict load of both parts (every module key present with its shape; every file key consumed or ignored).</summary>
    public static async Task LoadWeightsAsync(LpipsNetwork network, SafeTensorsSource trunk, SafeTensorsSource heads, CancellationToken ct)
    {
        await StateDictLoader.LoadAsync(network.Trunk, trunk, $"lpips trunk ({network.Config.TrunkName})",
            new WeightLoadOptions { IgnoreKey = k => k.StartsWith("classifier.", StringComparison.Ordinal) }, ct).ConfigureAwait(false);
        await StateDictLoader.LoadAsync(network.Heads, heads, "lpips heads", null, ct).ConfigureAwait(false);
    }

    /// <summary>VGG16 has <c>features.28.weight</c>; AlexNet's first kernel is 11 × 11.</summary>
    public static LpipsTrunkKind DetectTrunk(SafeTensorsSource trunk)
    {
        if (trunk.Contains("features.28.weight")) return LpipsTrunkKind.Vgg16;
        if (trunk.Contains("features.0.weight") && trunk.Entry("features.0.weight").Shape is [_, _, 11, 11]) return LpipsTrunkKind.AlexNet;
        throw new InvalidDataException($"{string.Join(", ", trunk.Paths)}: neither torchvision VGG16 nor AlexNet features (features.28.weight or an 11x11 features.0.weight expected).");
    }

    public void Dispose() => Network.Dispose();
}
