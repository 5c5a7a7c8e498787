using FaceCraft4D.Weights.Scalars;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.Diffusion;

/// <summary>
/// diffusers <c>DiagonalGaussianDistribution</c>, the VAE posterior: the encoder moments [B, 2·latent, h, w] split
/// along channels into mean and log-variance, log-variance clamped to [−30, 20], std = exp(0.5·logvar). Unscaled
/// (no scaling_factor); owns its tensors.
/// </summary>
public sealed class DiagonalGaussianLatent : IDisposable
{
    private DiagonalGaussianLatent(Tensor mean, Tensor logVar, Tensor std)
    {
        Mean = mean;
        LogVar = logVar;
        Std = std;
    }

    /// <summary>[B, latent, h, w]</summary>
    public Tensor Mean { get; }

    /// <summary>[B, latent, h, w], clamped to [−30, 20].</summary>
    public Tensor LogVar { get; }

    /// <summary>[B, latent, h, w] = exp(0.5·logvar).</summary>
    public Tensor Std { get; }

    /// <param name="moments">[B, 2·latent, h, w]: mean channels first, then log-variance.</param>
    public static DiagonalGaussianLatent FromMoments(Tensor moments)
    {
        using var scope = NewDisposeScope();
        var parts = moments.chunk(2, 1);
        var mean = parts[0].contiguous();
        var logVar = parts[1].Clamped(-30.0, 20.0);
        var std = logVar.Times(0.5).exp();
        return new DiagonalGaussianLatent(mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
        Std.Dispose();
    }
}
