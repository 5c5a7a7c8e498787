using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// Input of <see cref="MultiViewDiffusionEnhancer.Enhance"/>. Images are RGB in [-1, 1], H and W multiples of 8
/// (the VAE factor); latents are in the UNet's scaled convention (see <see cref="MultiViewDiffusionEnhancer.EncodeImages"/>).
/// </summary>
/// <param name="ReferenceImage">[1, 3, H, W] the reference view (source of mutual-attention keys/values).</param>
/// <param name="CoarseImages">[N, 3, H, W] the target views to enhance (e.g. shape-prior renders).</param>
/// <param name="WarpedLatents">[N, 4, H/8, W/8] latents of the depth-warped anchor content, or null for no blending.</param>
/// <param name="Masks">[N, 1, H/8, W/8] soft visibility masks in [0, 1] (1 = copy the warped latent), required with <paramref name="WarpedLatents"/>.</param>
public sealed record MultiViewEnhanceRequest(Tensor ReferenceImage, Tensor CoarseImages, Tensor? WarpedLatents = null, Tensor? Masks = null);

/// <summary>Output of <see cref="MultiViewDiffusionEnhancer.Enhance"/>; the caller owns (and disposes) the tensors.</summary>
/// <param name="Images">[N, 3, H, W] enhanced views in [-1, 1] (clamped), on the enhancer's device.</param>
/// <param name="Latents">[N, 4, H/8, W/8] final latents.</param>
/// <param name="Backend">Which backend produced it: <c>diffusion:{model name}</c>.</param>
/// <param name="Timesteps">The UNet timesteps run.</param>
public sealed record MultiViewEnhanceResult(Tensor Images, Tensor Latents, string Backend, int[] Timesteps) : IDisposable
{
    public void Dispose()
    {
        Images.Dispose();
        Latents.Dispose();
    }
}
