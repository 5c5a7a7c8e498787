using FaceCraft4D.Weights.Scalars;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceCraft4D.Metrics.Clip;

/// <summary>
/// CLIP image preprocessing (HF <c>CLIPImageProcessor</c> / OpenAI <c>_transform</c>): resize the shorter side to S with
/// antialiased bicubic interpolation, centre crop S × S, normalise with mean [0.48145466, 0.4578275, 0.40821073] and
/// std [0.26862954, 0.26130258, 0.27577711]. (PIL's bicubic and torch's antialiased bicubic differ slightly.)
/// </summary>
public static class ClipImagePreprocessor
{
    private static readonly float[] Mean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] Std = [0.26862954f, 0.26130258f, 0.27577711f];

    /// <param name="images">[N, 3, H, W] in [0, 1]</param>
    /// <param name="size">S</param>
    /// <returns>[N, 3, S, S] normalised. Caller disposes.</returns>
    public static Tensor Prepare(Tensor images, int size)
    {
        using var scope = torch.NewDisposeScope();
        long h = images.shape[2], w = images.shape[3];
        double s = size / (double)Math.Min(h, w);
        long nh = Math.Max(size, (long)Math.Round(h * s)), nw = Math.Max(size, (long)Math.Round(w * s));
        var x = images.to(ScalarType.Float32);
        if (nh != h || nw != w)
            x = nn.functional.interpolate(x, size: new long[] { nh, nw }, mode: InterpolationMode.Bicubic, align_corners: false, antialias: true);
        long top = (nh - size) / 2, left = (nw - size) / 2;
        x = x[.., .., TensorIndex.Slice(top, top + size), TensorIndex.Slice(left, left + size)].Clamped(0, 1);
        var mean = torch.tensor(Mean, new long[] { 1, 3, 1, 1 }, device: x.device);
        var std = torch.tensor(Std, new long[] { 1, 3, 1, 1 }, device: x.device);
        return ((x - mean) / std).MoveToOuterDisposeScope();
    }
}
