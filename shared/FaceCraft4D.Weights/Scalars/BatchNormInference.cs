using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceCraft4D.Weights.Scalars;

/// <summary>
/// BatchNorm for pretrained networks run in inference. TorchSharp 0.107's <c>BatchNorm.forward</c> counts batches in
/// training mode with <c>num_batches_tracked.add_(1)</c>, an unheld Scalar (dotnet/TorchSharp#1434, banned in
/// BannedSymbols.txt); in eval mode it makes none. This is the one place that calls it, and only in eval mode.
/// </summary>
public static class BatchNormInference
{
    /// <summary>Normalises x [N, C, ...] with the running statistics; throws if <paramref name="norm"/> is training.</summary>
    public static Tensor InferenceForward(this BatchNorm norm, Tensor x)
    {
        if (norm.training)
            throw new InvalidOperationException(
                "BatchNorm in training mode makes an unheld TorchSharp Scalar (num_batches_tracked.add_(1)); call eval() on the network first.");
#pragma warning disable RS0030 // eval mode: no Scalar is made (see the summary)
        return norm.forward(x);
#pragma warning restore RS0030
    }
}
