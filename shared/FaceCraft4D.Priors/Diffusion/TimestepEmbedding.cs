using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>diffusers <c>TimestepEmbedding</c>: <c>linear_1</c> → SiLU → <c>linear_2</c>.</summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear_1;
    private readonly Linear linear_2;

    public TimestepEmbedding(long inChannels, long embedDim, Device? device = null) : base(nameof(TimestepEmbedding))
    {
        linear_1 = nn.Linear(inChannels, embedDim, device: device);
        linear_2 = nn.Linear(embedDim, embedDim, device: device);
        register_module(nameof(linear_1), linear_1);
        register_module(nameof(linear_2), linear_2);
    }

    /// <param name="x">[B, inChannels]</param>
    /// <returns>[B, embedDim]</returns>
    public override Tensor forward(Tensor x)
    {
        using var h = nn.functional.silu(linear_1.forward(x));
        return linear_2.forward(h);
    }
}
