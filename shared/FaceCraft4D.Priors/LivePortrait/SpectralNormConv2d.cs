using FaceCraft4D.Priors.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;
using FaceCraft4D.Weights.Convolution;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>
/// Conv2d under PyTorch <c>spectral_norm</c> as stored by LivePortrait's SPADE generator: parameters
/// <c>weight_orig</c>, <c>bias</c> and buffers <c>weight_u</c>, <c>weight_v</c>. In evaluation (no power iteration)
/// the weight is weight_orig / σ with σ = uᵀ·(W_mat·v), W_mat = weight_orig reshaped to [out, in·k·k].
/// </summary>
public sealed class SpectralNormConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight_orig;
    private readonly Parameter? bias;
    private readonly Tensor weight_u;
    private readonly Tensor weight_v;
    private readonly long _padding;

    public SpectralNormConv2d(long inChannels, long outChannels, long kernelSize, long padding, bool hasBias = true, Device? device = null)
        : base(nameof(SpectralNormConv2d))
    {
        _padding = padding;
        double bound = 1.0 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        using (var u = torch.rand([outChannels, inChannels, kernelSize, kernelSize], device: device))
            weight_orig = nn.Parameter(u.Times(2).Minus(1).Times(bound));
        register_parameter(nameof(weight_orig), weight_orig);
        if (hasBias)
        {
            using var u = torch.rand(outChannels, device: device);
            bias = nn.Parameter(u.Times(2).Minus(1).Times(bound));
            register_parameter(nameof(bias), bias);
        }
        weight_u = nn.functional.normalize(torch.randn(outChannels, device: device), dim: 0);
        weight_v = nn.functional.normalize(torch.randn(inChannels * kernelSize * kernelSize, device: device), dim: 0);
        register_buffer(nameof(weight_u), weight_u);
        register_buffer(nameof(weight_v), weight_v);
    }

    /// <summary>The normalised kernel weight_orig / σ.</summary>
    public Tensor NormalizedWeight()
    {
        using var scope = NewDisposeScope();
        var matrix = weight_orig.reshape(weight_orig.shape[0], -1);
        var sigma = torch.dot(weight_u, torch.mv(matrix, weight_v));
        return (weight_orig / sigma).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs <paramref name="iterations"/> power iterations on weight_orig and stores the resulting singular vectors in
    /// weight_u / weight_v, as spectral_norm does during training (used for random weights; loaded checkpoints
    /// already carry their vectors).
    /// </summary>
    public void UpdateSingularVectors(int iterations = 30)
    {
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var matrix = weight_orig.reshape(weight_orig.shape[0], -1);
        var u = weight_u.clone();
        var v = weight_v.clone();
        for (int i = 0; i < iterations; i++)
        {
            v = nn.functional.normalize(torch.mv(matrix.t(), u), dim: 0, eps: 1e-12);
            u = nn.functional.normalize(torch.mv(matrix, v), dim: 0, eps: 1e-12);
        }
        weight_u.copy_(u);
        weight_v.copy_(v);
    }

    public override Tensor forward(Tensor x)
    {
        using var weight = NormalizedWeight();
        return ChannelAlignedConvolution.Conv2d(x, weight, bias, padding: [_padding, _padding]);
    }
}
