using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>
/// The convolutional trunk of torchvision's <c>resnet18</c> (He et al. 2016) under torchvision's parameter names
/// (<c>conv1</c>, <c>bn1</c>, <c>layer{1..4}.{0,1}.*</c>; no <c>fc</c>): conv 7×7/2 (64), batch norm, ReLU, max pool 3×3/2,
/// then four stages of <see cref="ResNet18BasicBlock"/>s, widths 64, 128, 256, 512, stride 2 from stage 2 on; torchvision has
/// two blocks per stage, the ONNX graph of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (a CNTK ResNet-18) has three in
/// the last stage (<c>layer4.2</c>), which <see cref="ResNet18OnnxWeights"/> reads from the graph.
/// <see cref="forward"/> returns the five taps a perceptual distance compares: relu1 [N, 64, H/2, W/2] and the outputs of
/// layer1 [N, 64, H/4, W/4], layer2 [N, 128, H/8, W/8], layer3 [N, 256, H/16, W/16], layer4 [N, 512, H/32, W/32]
/// (sides rounded up). Padding is torchvision's symmetric one; the ONNX graph of
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (exported from CNTK) pads the end by one less at every stride-2
/// layer, which is the same computation whenever the side at that layer is even (inputs whose sides are multiples of 32).
/// </summary>
public sealed class ResNet18Trunk : nn.Module<Tensor, Tensor[]>
{
    /// <summary>Names of the five taps, shallow to deep.</summary>
    public static readonly IReadOnlyList<string> TapNames = ["relu1", "layer1", "layer2", "layer3", "layer4"];

    /// <summary>Channels of the five taps.</summary>
    public static readonly IReadOnlyList<int> TapChannels = [64, 64, 128, 256, 512];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1, layer2, layer3, layer4;

    /// <summary>torchvision's resnet18: two blocks per stage.</summary>
    public static readonly IReadOnlyList<int> TorchvisionBlocks = [2, 2, 2, 2];

    /// <summary>Creates the trunk with random weights (load them with <see cref="ResNet18OnnxWeights"/>).</summary>
    /// <param name="blocksPerStage">Blocks in each of the four stages; null: <see cref="TorchvisionBlocks"/>.</param>
    public ResNet18Trunk(IReadOnlyList<int>? blocksPerStage = null) : base("ResNet18Trunk")
    {
        BlocksPerStage = blocksPerStage ?? TorchvisionBlocks;
        if (BlocksPerStage.Count != 4 || BlocksPerStage.Any(b => b < 1))
            throw new ArgumentException("Four stages of at least one block each are needed.", nameof(blocksPerStage));
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = nn.BatchNorm2d(64);
        layer1 = Stage(64, 64, 1, BlocksPerStage[0]);
        layer2 = Stage(64, 128, 2, BlocksPerStage[1]);
        layer3 = Stage(128, 256, 2, BlocksPerStage[2]);
        layer4 = Stage(256, 512, 2, BlocksPerStage[3]);
        RegisterComponents();
    }

    /// <summary>Blocks in each stage.</summary>
    public IReadOnlyList<int> BlocksPerStage { get; }

    private static Sequential Stage(int inChannels, int outChannels, int stride, int blocks) => nn.Sequential(
        Enumerable.Range(0, blocks).Select(b => (b.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (nn.Module<Tensor, Tensor>)new ResNet18BasicBlock(b.ToString(System.Globalization.CultureInfo.InvariantCulture), b == 0 ? inChannels : outChannels, outChannels, b == 0 ? stride : 1))));

    /// <summary>x [N, 3, H, W] (BGR, 0..255 minus the channel means, see <see cref="ResNet18Input"/>) → the five taps.</summary>
    public override Tensor[] forward(Tensor x) => Forward(x, TapNames.Count);

    /// <summary>The first <paramref name="depth"/> taps only (1..5): the deeper stages are not computed.</summary>
    public Tensor[] Forward(Tensor x, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, TapNames.Count);
        var taps = new Tensor[depth];
        var h = taps[0] = nn.functional.relu(bn1.InferenceForward(conv1.forward(x)));
        if (depth == 1) return taps;
        h = nn.functional.max_pool2d(h, 3, 2, 1);
        Sequential[] stages = [layer1, layer2, layer3, layer4];
        for (int s = 1; s < depth; s++) h = taps[s] = stages[s - 1].forward(h);
        return taps;
    }

    /// <summary>The 512-D ImageNet embedding of the ONNX graph's output <c>Pooling395_Output_0</c>: layer4 averaged over space, [N, 512, 1, 1].</summary>
    public Tensor Embedding(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var taps = Forward(x, TapNames.Count);
        return taps[^1].mean([2, 3], keepdim: true).MoveToOuterDisposeScope();
    }
}
