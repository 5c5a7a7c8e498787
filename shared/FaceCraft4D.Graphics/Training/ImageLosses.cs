using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Graphics.Training;

/// <summary>Photometric losses on [H, W, C] images (3DGS definitions).</summary>
public static class ImageLosses
{
    /// <summary>Mean absolute error; with a mask [H, W] the mean over masked pixels.</summary>
    public static Tensor L1(Tensor rendered, Tensor target, Tensor? mask = null)
    {
        using var scope = torch.NewDisposeScope();
        var diff = (rendered - target).abs();
        var result = mask is null ? diff.mean() : (diff * mask.unsqueeze(-1)).sum() / (mask.sum() * rendered.shape[2]).clamp_min(1.0);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Normalised 1D Gaussian window [size].</summary>
    public static Tensor GaussianWindow1D(int size, double sigma, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var g = Enumerable.Range(0, size).Select(i => Math.Exp(-Math.Pow(i - size / 2, 2) / (2 * sigma * sigma))).ToArray();
        double sum = g.Sum();
        return torch.tensor(g.Select(v => v / sum).ToArray(), dtype, device);
    }

    /// <summary>
    /// Structural similarity with an 11x11 Gaussian window (sigma 1.5), zero padding, C1 = 0.01^2, C2 = 0.03^2, averaged
    /// over pixels and channels (or over masked pixels when a mask [H, W] is given). Images [H, W, C] in [0, 1].
    /// </summary>
    public static Tensor Ssim(Tensor rendered, Tensor target, Tensor? mask = null, int windowSize = 11, double sigma = 1.5)
    {
        using var scope = torch.NewDisposeScope();
        long c = rendered.shape[2];
        var img1 = rendered.permute(2, 0, 1).unsqueeze(0);
        var img2 = target.permute(2, 0, 1).unsqueeze(0);
        var w1 = GaussianWindow1D(windowSize, sigma, rendered.device, rendered.dtype);
        var window = torch.outer(w1, w1).expand(c, 1, windowSize, windowSize).contiguous();
        int pad = windowSize / 2;
        Tensor Conv(Tensor x) => torch.nn.functional.conv2d(x, window, padding: new long[] { pad, pad }, groups: c);
        var mu1 = Conv(img1); var mu2 = Conv(img2);
        var mu1Sq = mu1 * mu1; var mu2Sq = mu2 * mu2; var mu12 = mu1 * mu2;
        var s1 = Conv(img1 * img1) - mu1Sq;
        var s2 = Conv(img2 * img2) - mu2Sq;
        var s12 = Conv(img1 * img2) - mu12;
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        var map = (2 * mu12 + c1) * (2 * s12 + c2) / ((mu1Sq + mu2Sq + c1) * (s1 + s2 + c2)); // [1, C, H, W]
        var result = mask is null ? map.mean() : (map * mask.unsqueeze(0).unsqueeze(0)).sum() / (mask.sum() * c).clamp_min(1.0);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Peak signal-to-noise ratio in dB for images in [0, 1].</summary>
    public static double Psnr(Tensor rendered, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        double mse = (rendered.detach() - target).pow(2).mean().item<float>();
        return 10 * Math.Log10(1.0 / Math.Max(mse, 1e-12));
    }
}
