using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>
/// torchvision's <c>BasicBlock</c>: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3×3 convolutions without bias,
/// the first with the block's stride; the shortcut is the identity or <c>downsample</c> (1×1 conv with the stride, then
/// batch norm) when the stride or width changes. Child names as torchvision: conv1, bn1, conv2, bn2, downsample.0/.1.
/// </summary>
public sealed class ResNet18BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Sequential? downsample;

    /// <summary>A block taking <paramref name="inChannels"/> to <paramref name="outChannels"/> at <paramref name="stride"/>.</summary>
    public ResNet18BasicBlock(string name, int inChannels, int outChannels, int stride) : base(name)
    {
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
            downsample = nn.Sequential(("0", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)), ("1", nn.BatchNorm2d(outChannels)));
        RegisterComponents();
    }

    /// <summary>x [N, in, H, W] → [N, out, H / stride, W / stride].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = nn.functional.relu(bn1.InferenceForward(conv1.forward(x)));
        h = bn2.InferenceForward(conv2.forward(h));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return nn.functional.relu(h.Plus(shortcut)).MoveToOuterDisposeScope();
    }
}
