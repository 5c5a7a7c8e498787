using FaceCraft4D.Priors.Modules;
using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Priors.LivePortrait;

/// <summary>Normalised 3D coordinate grids and keypoint heatmaps of LivePortrait's dense motion network.</summary>
public static class KeypointGrid
{
    /// <summary>
    /// Identity grid [D, H, W, 3] with (x, y, z) in [-1, 1] (x right, y down, z inward; align_corners-style endpoints).
    /// </summary>
    public static Tensor CoordinateGrid(long d, long h, long w, ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        Tensor Axis(long n) => n > 1 ? HeldScalarOps.Arange(n, dtype, device).DividedBy(n - 1).Times(2).Minus(1) : torch.zeros(n, dtype: dtype, device: device);
        var x = Axis(w).view(1, 1, w).expand(d, h, w);
        var y = Axis(h).view(1, h, 1).expand(d, h, w);
        var z = Axis(d).view(d, 1, 1).expand(d, h, w);
        return torch.stack([x, y, z], 3).MoveToOuterDisposeScope();
    }

    /// <summary>Gaussian heatmaps exp(−½‖grid − kp‖²/variance) (upstream order: −0.5·Σ, then / variance): kp [B, K, 3] → [B, K, D, H, W].</summary>
    public static Tensor Gaussians(Tensor keypoints, long d, long h, long w, double variance)
    {
        using var scope = NewDisposeScope();
        var grid = CoordinateGrid(d, h, w, keypoints.dtype, keypoints.device).view(1, 1, d, h, w, 3);
        var mean = keypoints.view(keypoints.shape[0], keypoints.shape[1], 1, 1, 1, 3);
        var squared = (grid - mean).Power(2).sum([-1]);
        return torch.exp(squared.Times(-0.5).DividedBy(variance)).MoveToOuterDisposeScope();
    }
}
