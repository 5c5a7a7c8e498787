using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>diffusers <c>GEGLU</c>: <c>proj</c> to 2·inner, split into (hidden, gate), return hidden · GELU(gate).</summary>
public sealed class GegluProjection : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;

    public GegluProjection(long dim, long inner, Device? device = null) : base(nameof(GegluProjection))
    {
        proj = nn.Linear(dim, inner * 2, device: device);
        register_module(nameof(proj), proj);
    }

    /// <param name="x">[B, N, dim]</param>
    /// <returns>[B, N, inner]</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var chunks = proj.forward(x).chunk(2, -1);
        return (chunks[0] * nn.functional.gelu(chunks[1])).MoveToOuterDisposeScope();
    }
}
