using FaceCraft4D.Weights.Scalars;
using static TorchSharp.torch;

namespace FaceCraft4D.Vision.Perceptual.ResNet18;

/// <summary>
/// The input convention of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (its <c>ResNetPreprocess.onnx</c>): channels
/// in BGR order, values 0..255, minus a 224×224 mean image. The mean image's per-channel averages are used here so that
/// any image size works: B 103.0626, G 115.9029, R 123.1516 (the ImageNet means of Caffe-era models).
/// </summary>
public static class ResNet18Input
{
    /// <summary>Per-channel means subtracted from BGR values in 0..255, order B, G, R.</summary>
    public static readonly IReadOnlyList<double> MeanBgr = [103.0626, 115.9029, 123.1516];

    /// <summary>RGB [N, 3, H, W] in [0, 1] → the trunk's input [N, 3, H, W] (BGR, 0..255, means subtracted). Differentiable.</summary>
    public static Tensor FromUnitRgb(Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.ndim != 4 || rgb.shape[1] != 3) throw new ArgumentException($"Expected [N, 3, H, W] RGB, got [{string.Join(", ", rgb.shape)}].", nameof(rgb));
        using var mean = tensor(new[] { (float)MeanBgr[0], (float)MeanBgr[1], (float)MeanBgr[2] }, dtype: rgb.dtype, device: rgb.device).view(1, 3, 1, 1);
        using var bgr = rgb.flip(1);
        using var scaled = bgr.Times(255.0);
        return scaled - mean;
    }
}
