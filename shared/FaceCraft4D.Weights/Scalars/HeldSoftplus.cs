using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Scalars;

/// <summary>
/// Softplus as a module (beta 1, threshold 20), for module lists such as <c>Sequential</c>: TorchSharp 0.107's
/// <c>nn.Softplus</c> converts both numbers to unheld Scalars in <c>forward</c> (dotnet/TorchSharp#1434), and a call
/// through the module list is invisible to the analyzer, so <c>nn.Softplus</c> is banned. No parameters.
/// </summary>
public sealed class HeldSoftplus() : nn.Module<Tensor, Tensor>(nameof(HeldSoftplus))
{
    /// <summary>x (any shape) → softplus(x), same shape.</summary>
    public override Tensor forward(Tensor x) => x.Softplus();
}
