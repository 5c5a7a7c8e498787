using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>diffusers <c>DDIMSchedulerOutput</c>: x_prev and the predicted x̂₀ of one step; owns both tensors.</summary>
/// <param name="PrevSample">[B, C, h, w] the sample at the previous (less noisy) timestep.</param>
/// <param name="PredOriginalSample">[B, C, h, w] x̂₀ after clipping/thresholding.</param>
public sealed record DdimStepResult(Tensor PrevSample, Tensor PredOriginalSample) : IDisposable
{
    public void Dispose()
    {
        PrevSample.Dispose();
        PredOriginalSample.Dispose();
    }
}
