using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>LivePortrait <c>SameBlock2d</c>: <c>conv</c> (3×3) → <c>norm</c> (BatchNorm2d) → ReLU (or LeakyReLU 0.01).</summary>
public sealed class SameBlock2d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d norm;
    private readonly bool _leaky;

    public SameBlock2d(long inFeatures, long outFeatures, bool leakyRelu = false, Device? device = null) : base(nameof(SameBlock2d))
    {
        conv = nn.Conv2d(inFeatures, outFeatures, 3, padding: 1, device: device);
        norm = nn.BatchNorm2d(outFeatures, device: device);
        _leaky = leakyRelu;
        register_module(nameof(conv), conv);
        register_module(nameof(norm), norm);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = norm.InferenceForward(ChannelAlignedConvolution.Forward(conv, x));
        h = _leaky ? h.LeakyRelu(0.01) : nn.functional.relu(h);
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>LivePortrait <c>DownBlock2d</c>: <c>conv</c> → <c>norm</c> → ReLU → 2×2 average pool.</summary>
public sealed class DownBlock2d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d norm;

    public DownBlock2d(long inFeatures, long outFeatures, Device? device = null) : base(nameof(DownBlock2d))
    {
        conv = nn.Conv2d(inFeatures, outFeatures, 3, padding: 1, device: device);
        norm = nn.BatchNorm2d(outFeatures, device: device);
        register_module(nameof(conv), conv);
        register_module(nameof(norm), norm);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(norm.InferenceForward(ChannelAlignedConvolution.Forward(conv, x)));
        return nn.functional.avg_pool2d(h, [2, 2]).MoveToOuterDisposeScope();
    }
}

/// <summary>LivePortrait <c>ResBlock3d</c>: x + conv2(ReLU(norm2(conv1(ReLU(norm1(x)))))) with 3×3×3 convs.</summary>
public sealed class ResBlock3d : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d conv1;
    private readonly Conv3d conv2;
    private readonly BatchNorm3d norm1;
    private readonly BatchNorm3d norm2;

    public ResBlock3d(long features, Device? device = null) : base(nameof(ResBlock3d))
    {
        conv1 = nn.Conv3d(features, features, 3, padding: 1, device: device);
        conv2 = nn.Conv3d(features, features, 3, padding: 1, device: device);
        norm1 = nn.BatchNorm3d(features, device: device);
        norm2 = nn.BatchNorm3d(features, device: device);
        register_module(nameof(conv1), conv1);
        register_module(nameof(conv2), conv2);
        register_module(nameof(norm1), norm1);
        register_module(nameof(norm2), norm2);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = ChannelAlignedConvolution.Forward(conv1, nn.functional.relu(norm1.InferenceForward(x)));
        h = ChannelAlignedConvolution.Forward(conv2, nn.functional.relu(norm2.InferenceForward(h)));
        return h.Plus(x).MoveToOuterDisposeScope();
    }
}

/// <summary>LivePortrait <c>DownBlock3d</c>: <c>conv</c> (3×3×3) → <c>norm</c> → ReLU → average pool (1, 2, 2).</summary>
public sealed class DownBlock3d : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d conv;
    private readonly BatchNorm3d norm;

    public DownBlock3d(long inFeatures, long outFeatures, Device? device = null) : base(nameof(DownBlock3d))
    {
        conv = nn.Conv3d(inFeatures, outFeatures, 3, padding: 1, device: device);
        norm = nn.BatchNorm3d(outFeatures, device: device);
        register_module(nameof(conv), conv);
        register_module(nameof(norm), norm);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(norm.InferenceForward(ChannelAlignedConvolution.Forward(conv, x)));
        return nn.functional.avg_pool3d(h, [1, 2, 2]).MoveToOuterDisposeScope();
    }
}

/// <summary>LivePortrait <c>UpBlock3d</c>: nearest upsampling (1, 2, 2) → <c>conv</c> → <c>norm</c> → ReLU.</summary>
public sealed class UpBlock3d : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d conv;
    private readonly BatchNorm3d norm;

    public UpBlock3d(long inFeatures, long outFeatures, Device? device = null) : base(nameof(UpBlock3d))
    {
        conv = nn.Conv3d(inFeatures, outFeatures, 3, padding: 1, device: device);
        norm = nn.BatchNorm3d(outFeatures, device: device);
        register_module(nameof(conv), conv);
        register_module(nameof(norm), norm);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.interpolate(x, scale_factor: [1.0, 2.0, 2.0], mode: InterpolationMode.Nearest);
        h = nn.functional.relu(norm.InferenceForward(ChannelAlignedConvolution.Forward(conv, h)));
        return h.MoveToOuterDisposeScope();
    }
}
