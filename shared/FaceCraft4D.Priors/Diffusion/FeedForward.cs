using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>diffusers <c>FeedForward</c> with GEGLU: keys <c>net.0.proj</c> (dim → 8·dim), <c>net.2</c> (4·dim → dim); net.1 is dropout.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    public FeedForward(long dim, long multiplier = 4, Device? device = null) : base(nameof(FeedForward))
    {
        long inner = dim * multiplier;
        net = nn.ModuleList<nn.Module<Tensor, Tensor>>(new GegluProjection(dim, inner, device), nn.Dropout(0.0), nn.Linear(inner, dim, device: device));
        register_module(nameof(net), net);
    }

    /// <param name="x">[B, N, dim]</param>
    public override Tensor forward(Tensor x)
    {
        using var h = net[0].forward(x);
        return net[2].forward(h);
    }
}
