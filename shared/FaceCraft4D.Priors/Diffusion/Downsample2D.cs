using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>Downsample2D</c> with a strided 3×3 convolution (key <c>conv</c>). With padding 0 (the VAE encoder)
/// the input is first padded by one pixel on the right and bottom, as diffusers does.
/// </summary>
public sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly long _padding;

    public Downsample2D(long channels, long padding, Device? device = null) : base(nameof(Downsample2D))
    {
        _padding = padding;
        conv = nn.Conv2d(channels, channels, 3, stride: 2, padding: padding, device: device);
        register_module(nameof(conv), conv);
    }

    /// <param name="x">[B, C, H, W]</param>
    /// <returns>[B, C, H/2, W/2]</returns>
    public override Tensor forward(Tensor x)
    {
        if (_padding != 0) return conv.forward(x);
        using var padded = nn.functional.pad(x, [0, 1, 0, 1]);
        return conv.forward(padded);
    }
}
