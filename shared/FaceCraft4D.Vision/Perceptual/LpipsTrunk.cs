using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual;

/// <summary>
/// The <c>lpips</c> package's trunk (<c>pretrained_networks.vgg16</c> / <c>alexnet</c>): torchvision's <c>features</c>
/// split into <c>slice1..slice5</c>, each keeping torchvision's layer index as its child name, so the state dict reads
/// <c>slice{k}.{i}.weight|bias</c>. Each slice ends at a ReLU whose output is one tap.
/// VGG16: slices [0, 4) [4, 9) [9, 16) [16, 23) [23, 30); convs 0, 2 | 5, 7 | 10, 12, 14 | 17, 19, 21 | 24, 26, 28 (3×3,
/// padding 1), 2×2 max pools at 4, 9, 16, 23. AlexNet: slices [0, 2) [2, 5) [5, 8) [8, 10) [10, 12); conv 0 (11×11, stride 4,
/// padding 2), pool 2 (3×3, stride 2), conv 3 (5×5, padding 2), pool 5, convs 6, 8, 10 (3×3, padding 1).
/// </summary>
public sealed class LpipsTrunk : nn.Module<Tensor, Tensor[]>
{
    private readonly Sequential[] slices;

    public LpipsTrunk(LpipsConfig config) : base("LpipsTrunk")
    {
        config.Validate();
        Config = config;
        var layers = config.Trunk == LpipsTrunkKind.Vgg16 ? Vgg16Features(config.Channels) : AlexNetFeatures(config.Channels);
        int[] ends = config.Trunk == LpipsTrunkKind.Vgg16 ? [4, 9, 16, 23, 30] : [2, 5, 8, 10, 12];
        slices = new Sequential[5];
        int start = 0;
        for (int s = 0; s < 5; s++)
        {
            var named = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int i = start; i < ends[s]; i++) named.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[i]));
            slices[s] = nn.Sequential(named);
            register_module($"slice{s + 1}", slices[s]);
            start = ends[s];
        }
    }

    public LpipsConfig Config { get; }

    /// <summary>The torchvision indices of the convolutions in slice s (0-based), e.g. VGG16 slice 2: 10, 12, 14.</summary>
    public static IReadOnlyList<int> ConvIndices(LpipsTrunkKind kind, int slice) => kind == LpipsTrunkKind.Vgg16
        ? new[] { new[] { 0, 2 }, new[] { 5, 7 }, new[] { 10, 12, 14 }, new[] { 17, 19, 21 }, new[] { 24, 26, 28 } }[slice]
        : new[] { new[] { 0 }, new[] { 3 }, new[] { 6 }, new[] { 8 }, new[] { 10 } }[slice];

    /// <summary>
    /// x [N, 3, H, W] (already scaled) → the five tapped activations [N, C_k, H_k, W_k]. Differentiable; call inside a
    /// dispose scope (the intermediate activations belong to it).
    /// </summary>
    public override Tensor[] forward(Tensor x)
    {
        var taps = new Tensor[5];
        var h = x;
        for (int s = 0; s < 5; s++) taps[s] = h = slices[s].forward(h);
        return taps;
    }

    private static List<nn.Module<Tensor, Tensor>> Vgg16Features(int[] c)
    {
        int[] convsPerStage = [2, 2, 3, 3, 3];
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int inC = 3;
        for (int s = 0; s < 5; s++)
        {
            if (s > 0) layers.Add(nn.MaxPool2d(2, 2));
            for (int j = 0; j < convsPerStage[s]; j++)
            {
                layers.Add(nn.Conv2d(inC, c[s], 3, padding: 1));
                layers.Add(nn.ReLU());
                inC = c[s];
            }
        }
        return layers;
    }

    private static List<nn.Module<Tensor, Tensor>> AlexNetFeatures(int[] c) =>
    [
        nn.Conv2d(3, c[0], 11, stride: 4, padding: 2), nn.ReLU(),
        nn.MaxPool2d(3, 2), nn.Conv2d(c[0], c[1], 5, padding: 2), nn.ReLU(),
        nn.MaxPool2d(3, 2), nn.Conv2d(c[1], c[2], 3, padding: 1), nn.ReLU(),
        nn.Conv2d(c[2], c[3], 3, padding: 1), nn.ReLU(),
        nn.Conv2d(c[3], c[4], 3, padding: 1), nn.ReLU(),
    ];
}
