using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// SPADE normalisation (keys <c>mlp_shared.0</c>, <c>mlp_gamma</c>, <c>mlp_beta</c>): parameter-free instance norm of
/// x, modulated by γ, β predicted from the segmentation/feature map resized (nearest) to x: norm(x)·(1 + γ) + β.
/// </summary>
public sealed class Spade : nn.Module<Tensor, Tensor, Tensor>
{
    private const int Hidden = 128;
    private readonly Sequential mlp_shared;
    private readonly Conv2d mlp_gamma;
    private readonly Conv2d mlp_beta;

    public Spade(long normChannels, long labelChannels, Device? device = null) : base(nameof(Spade))
    {
        mlp_shared = nn.Sequential(nn.Conv2d(labelChannels, Hidden, 3, padding: 1, device: device), nn.ReLU());
        mlp_gamma = nn.Conv2d(Hidden, normChannels, 3, padding: 1, device: device);
        mlp_beta = nn.Conv2d(Hidden, normChannels, 3, padding: 1, device: device);
        register_module(nameof(mlp_shared), mlp_shared);
        register_module(nameof(mlp_gamma), mlp_gamma);
        register_module(nameof(mlp_beta), mlp_beta);
    }

    /// <param name="x">[B, C, H, W]</param>
    /// <param name="segmap">[B, L, h, w]</param>
    public override Tensor forward(Tensor x, Tensor segmap)
    {
        using var scope = NewDisposeScope();
        var mean = x.mean([2, 3], keepdim: true);
        var variance = (x - mean).Power(2).mean([2, 3], keepdim: true);
        var normalized = (x - mean) / torch.sqrt(variance.Plus(1e-5));
        var seg = nn.functional.interpolate(segmap, size: [x.shape[2], x.shape[3]], mode: InterpolationMode.Nearest);
        var actv = mlp_shared.forward(seg);
        var output = (normalized * ChannelAlignedConvolution.Forward(mlp_gamma, actv).Plus(1)).Plus(ChannelAlignedConvolution.Forward(mlp_beta, actv));
        return output.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// SPADE residual block with spectral-normalised convs (keys <c>conv_0</c>, <c>conv_1</c>, <c>conv_s</c> (no bias,
/// when fin ≠ fout), <c>norm_0</c>, <c>norm_1</c>, <c>norm_s</c>); LeakyReLU 0.2.
/// </summary>
public sealed class SpadeResnetBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly SpectralNormConv2d conv_0;
    private readonly SpectralNormConv2d conv_1;
    private readonly SpectralNormConv2d? conv_s;
    private readonly Spade norm_0;
    private readonly Spade norm_1;
    private readonly Spade? norm_s;

    public SpadeResnetBlock(long fin, long fout, long labelChannels, Device? device = null) : base(nameof(SpadeResnetBlock))
    {
        long middle = Math.Min(fin, fout);
        conv_0 = new SpectralNormConv2d(fin, middle, 3, 1, true, device);
        conv_1 = new SpectralNormConv2d(middle, fout, 3, 1, true, device);
        norm_0 = new Spade(fin, labelChannels, device);
        norm_1 = new Spade(middle, labelChannels, device);
        register_module(nameof(conv_0), conv_0);
        register_module(nameof(conv_1), conv_1);
        if (fin != fout)
        {
            conv_s = new SpectralNormConv2d(fin, fout, 1, 0, false, device);
            norm_s = new Spade(fin, labelChannels, device);
            register_module(nameof(conv_s), conv_s);
        }
        register_module(nameof(norm_0), norm_0);
        register_module(nameof(norm_1), norm_1);
        if (norm_s is not null) register_module(nameof(norm_s), norm_s);
    }

    public override Tensor forward(Tensor x, Tensor segmap)
    {
        using var scope = NewDisposeScope();
        var shortcut = conv_s is null ? x : conv_s.forward(norm_s!.forward(x, segmap));
        var dx = conv_0.forward(norm_0.forward(x, segmap).LeakyRelu(0.2));
        dx = conv_1.forward(norm_1.forward(dx, segmap).LeakyRelu(0.2));
        return shortcut.Plus(dx).MoveToOuterDisposeScope();
    }
}
