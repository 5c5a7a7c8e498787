using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Computes one <see cref="Attention"/> module's output from its projections. The UNet's attention modules delegate
/// to a processor so that behaviour such as cross-view mutual attention can be plugged in without changing weights
/// (see <see cref="UNet2DConditionModel.SetAttentionProcessors"/>).
/// </summary>
public interface IAttentionProcessor
{
    /// <param name="attention">The module (projections, head layout).</param>
    /// <param name="hiddenStates">Queries' source [B, N, C].</param>
    /// <param name="encoderHiddenStates">Context [B, M, Cctx] for cross-attention; null for self-attention.</param>
    /// <returns>[B, N, C]</returns>
    Tensor Process(Attention attention, Tensor hiddenStates, Tensor? encoderHiddenStates);
}
