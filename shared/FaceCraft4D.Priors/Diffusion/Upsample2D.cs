using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>diffusers <c>Upsample2D</c>: nearest-neighbour ×2 (or to an explicit size) then a 3×3 conv (key <c>conv</c>).</summary>
public sealed class Upsample2D : nn.Module<Tensor, long[]?, Tensor>
{
    private readonly Conv2d conv;

    public Upsample2D(long channels, Device? device = null) : base(nameof(Upsample2D))
    {
        conv = nn.Conv2d(channels, channels, 3, padding: 1, device: device);
        register_module(nameof(conv), conv);
    }

    /// <param name="x">[B, C, H, W]</param>
    /// <param name="size">Target [H', W'] (the matching skip feature's size), or null for ×2.</param>
    public override Tensor forward(Tensor x, long[]? size)
    {
        using var up = size is null
            ? nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest)
            : nn.functional.interpolate(x, size: size, mode: InterpolationMode.Nearest);
        return conv.forward(up);
    }
}
