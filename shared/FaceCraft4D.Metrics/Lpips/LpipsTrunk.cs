using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Lpips;

/// <summary>
/// The torchvision <c>features</c> stack of VGG16 or AlexNet with torchvision's index names
/// (<c>features.0.weight</c>, <c>features.2.bias</c>, ...), returning the five ReLU outputs LPIPS taps.
/// VGG16: conv indices 0, 2 | 5, 7 | 10, 12, 14 | 17, 19, 21 | 24, 26, 28 (3×3, padding 1), max pools at 4, 9, 16, 23;
/// taps after ReLUs 3, 8, 15, 22, 29. AlexNet: conv 0 (11×11 stride 4 pad 2), pool 2, conv 3 (5×5 pad 2), pool 5,
/// conv 6, 8, 10 (3×3 pad 1); taps after ReLUs 1, 4, 7, 9, 11. The classifier is not part of LPIPS.
/// </summary>
public sealed class LpipsTrunk : nn.Module<Tensor, Tensor[]>
{
    private readonly Sequential features;
    private readonly HashSet<int> taps;

    public LpipsConfig Config { get; }

    public LpipsTrunk(LpipsConfig config) : base("LpipsTrunk")
    {
        config.Validate();
        Config = config;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var c = config.Channels;
        int index = 0;
        void Add(nn.Module<Tensor, Tensor> m) => layers.Add(((index++).ToString(), m));
        void Conv(int inC, int outC, int k, int stride, int pad)
        {
            Add(nn.Conv2d(inC, outC, k, stride: stride, padding: pad));
            Add(nn.ReLU());
        }
        void Pool(int k, int stride) => Add(nn.MaxPool2d(k, stride));

        if (config.Trunk == LpipsTrunkKind.Vgg16)
        {
            int[] convsPerStage = [2, 2, 3, 3, 3];
            int inC = 3;
            for (int s = 0; s < 5; s++)
            {
                if (s > 0) Pool(2, 2);
                for (int j = 0; j < convsPerStage[s]; j++) { Conv(inC, c[s], 3, 1, 1); inC = c[s]; }
            }
            taps = [3, 8, 15, 22, 29];
        }
        else
        {
            Conv(3, c[0], 11, 4, 2);
            Pool(3, 2);
            Conv(c[0], c[1], 5, 1, 2);
            Pool(3, 2);
            Conv(c[1], c[2], 3, 1, 1);
            Conv(c[2], c[3], 3, 1, 1);
            Conv(c[3], c[4], 3, 1, 1);
            taps = [1, 4, 7, 9, 11];
        }
        features = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>
    /// x [N, 3, H, W] (already shifted/scaled) → the five tapped activations [N, C_k, H_k, W_k].
    /// Call inside a dispose scope: the intermediate activations belong to it.
    /// </summary>
    public override Tensor[] forward(Tensor x)
    {
        var outputs = new List<Tensor>(5);
        var h = x;
        int i = 0;
        foreach (var (_, module) in features.named_children())
        {
            h = ((nn.Module<Tensor, Tensor>)module).forward(h);
            if (taps.Contains(i)) outputs.Add(h);
            if (outputs.Count == 5) break;
            i++;
        }
        return outputs.ToArray();
    }
}
