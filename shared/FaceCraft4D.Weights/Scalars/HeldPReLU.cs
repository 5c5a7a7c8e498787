using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Scalars;

/// <summary>
/// PReLU with one learned slope per channel, parameter <c>weight</c> [C] as in PyTorch's <c>nn.PReLU</c> (same state-dict
/// name). TorchSharp 0.107's <c>nn.PReLU</c> fills its initial slope through an unheld Scalar (dotnet/TorchSharp#1434,
/// banned in BannedSymbols.txt); this fills it through <see cref="HeldScalarOps.FilledWith(Tensor, double)"/>.
/// </summary>
public sealed class HeldPReLU : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;

    /// <summary>One slope per channel, each <paramref name="initialSlope"/> until weights are loaded.</summary>
    public HeldPReLU(long channels, double initialSlope = 0.25, Device? device = null) : base(nameof(HeldPReLU))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        using (torch.no_grad())
            weight = new Parameter(torch.empty(channels, ScalarType.Float32, device).FilledWith(initialSlope));
        RegisterComponents();
    }

    /// <summary>x [N, C, ...] → max(0, x) + weight[c] · min(0, x), same shape.</summary>
    public override Tensor forward(Tensor x) => nn.functional.prelu(x, weight);
}
