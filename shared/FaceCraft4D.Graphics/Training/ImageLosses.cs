using FaceCraft4D.Graphics.ImageQuality;
using TorchSharp;
using static TorchSharp.torch;
using FaceCraft4D.Weights.Scalars;

namespace FaceCraft4D.Graphics.Training;

/// <summary>Photometric losses on [H, W, C] images (3DGS definitions).</summary>
public static class ImageLosses
{
    /// <summary>Mean absolute error; with a mask [H, W] the mean over masked pixels.</summary>
    public static Tensor L1(Tensor rendered, Tensor target, Tensor? mask = null)
    {
        using var scope = torch.NewDisposeScope();
        var diff = (rendered - target).abs();
        var result = mask is null ? diff.mean() : (diff * mask.unsqueeze(-1)).sum() / mask.sum().Times(rendered.shape[2]).ClampedMin(1.0);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Structural similarity (<see cref="ImageQuality.Ssim"/> with zero padding): 11x11 Gaussian window (sigma 1.5),
    /// C1 = 0.01^2, C2 = 0.03^2, averaged over pixels and channels (or over masked pixels when a mask [H, W] is given).
    /// Images [H, W, C] in [0, 1]. Differentiable. With a <paramref name="filters"/> bank the window runs as cached
    /// band-matrix products (<see cref="GaussianFilterBank"/>), else as convolutions; <paramref name="fused"/>: the fused CPU
    /// kernel of <see cref="ImageQuality.Ssim.WeightedMapSum"/> where it applies (CPU float32).
    /// </summary>
    public static Tensor Ssim(Tensor rendered, Tensor target, Tensor? mask = null, int windowSize = 11, double sigma = 1.5, GaussianFilterBank? filters = null, bool fused = false)
    {
        using var scope = torch.NewDisposeScope();
        long c = rendered.shape[2];
        var img1 = rendered.permute(2, 0, 1).unsqueeze(0); // [1, C, H, W]
        var img2 = target.permute(2, 0, 1).unsqueeze(0);
        if (fused)
        {
            var weights = mask is null ? null : mask / mask.sum().Times(c).ClampedMin(1.0); // [H, W]
            return ImageQuality.Ssim.WeightedMapSum(img1, img2, weights, new SsimOptions { WindowSize = windowSize, Sigma = sigma }, contrastOnly: false, filters)
                .MoveToOuterDisposeScope();
        }
        var (map, _) = ImageQuality.Ssim.Maps(img1, img2, new SsimOptions { WindowSize = windowSize, Sigma = sigma }, SsimPadding.Zero, filters); // [1, C, H, W]
        var result = mask is null ? map.mean() : (map * mask.unsqueeze(0).unsqueeze(0)).sum() / mask.sum().Times(c).ClampedMin(1.0);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Peak signal-to-noise ratio in dB for images in [0, 1].</summary>
    public static double Psnr(Tensor rendered, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        double mse = (rendered.detach() - target).Power(2).mean().item<float>();
        return 10 * Math.Log10(1.0 / Math.Max(mse, 1e-12));
    }
}
