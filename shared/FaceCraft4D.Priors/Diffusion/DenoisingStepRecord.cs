using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// What one denoising step of <see cref="MultiViewDiffusionEnhancer"/> produced. Tensors are only valid during the
/// observer call: keep copies with <c>t.clone().DetachFromDisposeScope()</c>.
/// </summary>
/// <param name="StepIndex">0-based index over the steps run.</param>
/// <param name="Timestep">Timestep the UNet was evaluated at.</param>
/// <param name="NextTimestep">Level of the produced latents (−1 = final).</param>
/// <param name="Denoised">[N, C, h, w] target latents after the DDIM step, before blending.</param>
/// <param name="Blended">[N, C, h, w] target latents after blending (equal to <paramref name="Denoised"/> when not blending).</param>
/// <param name="NoisedWarped">[N, C, h, w] warped latents at the produced level, or null when not blending.</param>
/// <param name="Masks">[N, 1, h, w] blending masks, or null.</param>
public sealed record DenoisingStepRecord(int StepIndex, int Timestep, int NextTimestep, Tensor Denoised, Tensor Blended,
    Tensor? NoisedWarped, Tensor? Masks);

/// <summary>Receives every denoising step (diagnostics, tests, progress).</summary>
public interface IDenoisingObserver
{
    void OnStep(DenoisingStepRecord record);
}
