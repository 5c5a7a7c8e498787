using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.ShapePrior.PanoHead;

/// <summary>
/// LPIPS v0.1 with the VGG-16 trunk (Zhang et al. 2018), named as the <c>lpips</c> package's
/// <c>LPIPS(net='vgg')</c> state dict: <c>net.slice1.0</c>, <c>net.slice1.2</c>, <c>net.slice2.5</c>, <c>net.slice2.7</c>,
/// <c>net.slice3.10/12/14</c>, <c>net.slice4.17/19/21</c>, <c>net.slice5.24/26/28</c> (torchvision VGG-16 feature
/// indices), <c>lin0..lin4.model.1.weight</c> and the <c>scaling_layer.shift/scale</c> buffers. Inputs in [-1, 1];
/// features of relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 are unit-normalised over channels, their squared
/// differences weighted by the 1x1 <c>lin</c> layers, averaged spatially and summed.
/// </summary>
public sealed class LpipsVgg16 : nn.Module
{
    private static readonly int[][] SliceConvs = { new[] { 0, 2 }, new[] { 5, 7 }, new[] { 10, 12, 14 }, new[] { 17, 19, 21 }, new[] { 24, 26, 28 } };
    private static readonly int[] Channels = { 64, 128, 256, 512, 512 };
    private readonly (int Index, TorchSharp.Modules.Conv2d Conv)[][] slices;
    private readonly TorchSharp.Modules.Conv2d[] lins;
    private readonly Tensor shift, scale;

    /// <summary>Creates the network with random weights (load the converted ones with <see cref="NamedWeights.Load"/>).</summary>
    public LpipsVgg16()
        : base(nameof(LpipsVgg16))
    {
        var netModule = new Container("net");
        slices = new (int, TorchSharp.Modules.Conv2d)[5][];
        int inC = 3;
        for (int s = 0; s < 5; s++)
        {
            var slice = new Container($"slice{s + 1}");
            slices[s] = new (int, TorchSharp.Modules.Conv2d)[SliceConvs[s].Length];
            for (int k = 0; k < SliceConvs[s].Length; k++)
            {
                var conv = nn.Conv2d(inC, Channels[s], 3, padding: 1);
                slice.Add(SliceConvs[s][k].ToString(System.Globalization.CultureInfo.InvariantCulture), conv);
                slices[s][k] = (SliceConvs[s][k], conv);
                inC = Channels[s];
            }
            netModule.Add($"slice{s + 1}", slice);
        }
        register_module("net", netModule);
        lins = new TorchSharp.Modules.Conv2d[5];
        for (int s = 0; s < 5; s++)
        {
            lins[s] = nn.Conv2d(Channels[s], 1, 1, bias: false);
            var model = new Container("model");
            model.Add("1", lins[s]);
            var lin = new Container($"lin{s}");
            lin.Add("model", model);
            register_module($"lin{s}", lin);
        }
        var scaling = new Container("scaling_layer");
        shift = torch.tensor(new float[] { -0.030f, -0.088f, -0.188f }).view(1, 3, 1, 1);
        scale = torch.tensor(new float[] { 0.458f, 0.448f, 0.450f }).view(1, 3, 1, 1);
        scaling.AddBuffer("shift", shift);
        scaling.AddBuffer("scale", scale);
        register_module("scaling_layer", scaling);
    }

    /// <summary>The five normalised feature maps of x [N, 3, H, W] in [-1, 1].</summary>
    public Tensor[] Features(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = (x - shift.to(x.device)) / scale.to(x.device);
        var outputs = new Tensor[5];
        for (int s = 0; s < 5; s++)
        {
            if (s > 0) h = torch.nn.functional.max_pool2d(h, 2, 2);
            foreach (var (_, conv) in slices[s]) h = torch.nn.functional.relu(conv.forward(h));
            outputs[s] = (h / (h.square().sum(1, keepdim: true).sqrt() + 1e-10)).MoveToOuterDisposeScope();
        }
        return outputs;
    }

    /// <summary>LPIPS distance per sample [N] between a [N, 3, H, W] and b (both in [-1, 1]).</summary>
    public Tensor Distance(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var fa = Features(a);
        var fb = Features(b);
        Tensor? total = null;
        for (int s = 0; s < 5; s++)
        {
            var d = lins[s].forward((fa[s] - fb[s]).square()).mean(new long[] { 2, 3 }).flatten();
            total = total is null ? d : total + d;
        }
        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>A named module holding children and buffers (keeps the upstream dotted names).</summary>
    private sealed class Container(string name) : nn.Module(name)
    {
        public void Add(string childName, nn.Module child) => register_module(childName, child);

        public void AddBuffer(string bufferName, Tensor tensor) => register_buffer(bufferName, tensor);
    }
}
