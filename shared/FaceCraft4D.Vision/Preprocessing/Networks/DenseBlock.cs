using FaceCraft4D.Vision.Preprocessing.Tfjs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Vision.Preprocessing.Networks;

/// <summary>
/// face-api.js dense block (denseBlock3 / denseBlock4): conv0 downsamples by 2 (a plain 3x3 conv in the
/// first block, a separable conv elsewhere), then each further separable conv sees the ReLU of the sum
/// of all previous outputs: out1 = relu(conv0(x)); in_k = relu(out1 + ... + out_{k-1}); out_k = conv_{k-1}(in_k);
/// result = relu(out1 + ... + out_n).
/// </summary>
public sealed class DenseBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> first;
    private readonly ModuleList<SeparableConv2dLayer> rest;

    public DenseBlock(string name, int inChannels, int outChannels, int convCount, bool isFirstBlock) : base(name)
    {
        if (convCount < 2) throw new ArgumentOutOfRangeException(nameof(convCount));
        first = isFirstBlock
            ? new Conv2dLayer("conv0", inChannels, outChannels, 3, 2, samePadding: true)
            : new SeparableConv2dLayer("conv0", inChannels, outChannels, 2);
        rest = new ModuleList<SeparableConv2dLayer>();
        for (int i = 1; i < convCount; i++) rest.Add(new SeparableConv2dLayer($"conv{i}", outChannels, outChannels, 1));
        RegisterComponents();
    }

    /// <summary>x [N, in, H, W] -> [N, out, ceil(H/2), ceil(W/2)].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var sum = nn.functional.relu(first.forward(x)); // out1
        foreach (var conv in rest)
        {
            var input = nn.functional.relu(sum);
            sum = sum.Plus(conv.forward(input));
        }
        return nn.functional.relu(sum).MoveToOuterDisposeScope();
    }

    public IEnumerable<TfjsParameterBinding> Bindings(string prefix)
    {
        var firstBindings = first switch
        {
            Conv2dLayer c => c.Bindings($"{prefix}/conv0"),
            SeparableConv2dLayer s => s.Bindings($"{prefix}/conv0"),
            _ => throw new InvalidOperationException(),
        };
        foreach (var b in firstBindings) yield return b;
        for (int i = 0; i < rest.Count; i++)
            foreach (var b in rest[i].Bindings($"{prefix}/conv{i + 1}")) yield return b;
    }
}
